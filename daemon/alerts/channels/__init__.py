"""Alert channels. A new channel is one module plus one line in ALERTERS."""

from __future__ import annotations

from daemon.alerts.channels.apprise import AppriseChannel
from daemon.alerts.channels.base import Alert, Channel, ChannelSettings
from daemon.alerts.channels.console import ConsoleChannel
from daemon.alerts.channels.mail import EmailChannel
from daemon.alerts.channels.slack import SlackChannel
from daemon.alerts.channels.webhook import WebhookChannel

ALERTERS: dict[str, type[Channel]] = {
    "console": ConsoleChannel,
    "webhook": WebhookChannel,
    "slack": SlackChannel,
    "email": EmailChannel,
    "apprise": AppriseChannel,
}

__all__ = ["ALERTERS", "Alert", "Channel", "ChannelSettings"]
