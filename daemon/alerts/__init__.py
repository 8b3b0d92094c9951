"""Alert channels. A new channel is one module plus one line in ALERTERS."""

from __future__ import annotations

from daemon.alerts.base import Alert, Channel, ChannelSettings
from daemon.alerts.console import ConsoleChannel
from daemon.alerts.slack import SlackChannel
from daemon.alerts.webhook import WebhookChannel

ALERTERS: dict[str, type[Channel]] = {
    "console": ConsoleChannel,
    "webhook": WebhookChannel,
    "slack": SlackChannel,
}

__all__ = ["ALERTERS", "Alert", "Channel", "ChannelSettings"]
