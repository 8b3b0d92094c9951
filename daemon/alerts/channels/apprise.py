"""The Apprise channel (optional extra `wirewatch[apprise]`): any Apprise URL.

Discord, Teams, Telegram, ntfy, Matrix and the rest, through one library. The
URL usually embeds a token, so it is a secret: give it as `url_env` or
`url_file`. Apprise reports only success or failure, so every failure is
retried on the delivery schedule.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import logging
import warnings
from collections.abc import Sequence
from typing import Any, ClassVar, Literal
from urllib.parse import parse_qsl, urlsplit

from pydantic import Field, field_validator

from daemon.alerts.channels.base import Alert, Channel, ChannelSettings
from daemon.alerts.channels.console import render_text
from daemon.alerts.sanitize import no_mentions
from daemon.alerts.secrets import resolve_from
from daemon.errors import AlertError


class AppriseSettings(ChannelSettings):
    type: Literal["apprise"] = "apprise"
    url: str | None = Field(None, description="Apprise URL, e.g. ntfy://… (prefer url_env)")
    url_env: str | None = Field(None, description="Env var holding the Apprise URL")
    url_file: str | None = Field(None, description="File holding the Apprise URL")
    max_evidence: int = Field(2, ge=0, description="Evidence passages per alert")

    @field_validator("type")
    @classmethod
    def _installed(cls, value: str) -> str:
        if importlib.util.find_spec("apprise") is None:
            raise ValueError("apprise is not installed: pip install 'wirewatch[apprise]'")
        return value


class Redact(logging.Filter):
    """Replaces the parts of a secret URL in log records with ***."""

    def __init__(self, url: str) -> None:
        super().__init__()
        parts = urlsplit(url)
        pieces = [url, parts.password or "", *parts.path.split("/"), parts.netloc]
        pieces += [v for _, v in parse_qsl(parts.query)]
        self.secrets = sorted({p for p in pieces if len(p) >= 4}, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.getMessage()
        for secret in self.secrets:
            msg = msg.replace(secret, "***")
        record.msg, record.args = msg, None
        return True


class AppriseChannel(Channel):
    """Sends a title and a Markdown body to one Apprise URL."""

    settings: ClassVar[type[ChannelSettings]] = AppriseSettings

    def __init__(self, name: str, settings: AppriseSettings) -> None:
        super().__init__(name, settings)
        url = resolve_from(name, settings, "url")
        assert url is not None
        # Apprise logs request URLs and payloads; the URL is a secret. urllib3 (under
        # apprise) logs request paths at DEBUG: keep it to warnings.
        self.redact = Redact(url.reveal())
        logging.getLogger("apprise").addFilter(self.redact)
        logging.getLogger("urllib3").setLevel(logging.WARNING)
        # apprise loads its plugins lazily, importing the deprecated stdlib imghdr.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            self.apprise: Any = importlib.import_module("apprise")
            self.app = self.apprise.Apprise()
            if not self.app.add(url.reveal()):
                raise AlertError(name, "not a URL Apprise knows", retry=False)

        self.max_evidence = settings.max_evidence

    async def send(self, alert: Alert) -> str | None:
        h = alert.hit
        title = f"[{h.severity}] {h.title or h.watch_id}"
        await self._notify(title, render_text(alert, self.max_evidence, ("**", "**")))
        return None

    async def send_batch(self, alerts: Sequence[Alert], *, digest: bool) -> str | None:
        title = f"{'Digest: ' if digest else ''}{len(alerts)} wirewatch alerts"
        body = "\n\n".join(render_text(a, 1, ("**", "**")) for a in alerts)
        await self._notify(title, body)
        return None

    async def _notify(self, title: str, body: str) -> None:
        ok = await asyncio.to_thread(
            self.app.notify,
            title=no_mentions(title),  # Apprise reaches Discord, Mattermost, …: no @everyone
            body=no_mentions(body),
            body_format=self.apprise.NotifyFormat.MARKDOWN,
        )
        if not ok:
            raise AlertError(self.name, "apprise could not notify")

    async def aclose(self) -> None:
        logging.getLogger("apprise").removeFilter(self.redact)
