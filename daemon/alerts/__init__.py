"""Alert channels. A new channel is one module plus one line in ALERTERS."""

from __future__ import annotations

from daemon.alerts.apprise import AppriseChannel
from daemon.alerts.base import Alert, Channel, ChannelSettings
from daemon.alerts.console import ConsoleChannel
from daemon.alerts.mail import EmailChannel
from daemon.alerts.slack import SlackChannel
from daemon.alerts.webhook import WebhookChannel

ALERTERS: dict[str, type[Channel]] = {
    "console": ConsoleChannel,
    "webhook": WebhookChannel,
    "slack": SlackChannel,
    "email": EmailChannel,
    "apprise": AppriseChannel,
}

__all__ = ["ALERTERS", "Alert", "Channel", "ChannelSettings"]
