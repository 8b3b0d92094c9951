"""The webhook channel: the alert as a JSON POST to any URL."""

from __future__ import annotations

import json
from typing import ClassVar, Literal

import httpx
from pydantic import AnyHttpUrl

from daemon.alerts.base import Alert, Channel, ChannelSettings
from daemon.errors import AlertError


class WebhookSettings(ChannelSettings):
    type: Literal["webhook"] = "webhook"
    url: AnyHttpUrl
    timeout_s: float = 10.0


class WebhookChannel(Channel):
    """POSTs the alert payload; 2xx is success, 4xx (but 408/429) is final."""

    settings: ClassVar[type[ChannelSettings]] = WebhookSettings

    def __init__(self, name: str, settings: WebhookSettings) -> None:
        super().__init__(name, settings)
        self.url = str(settings.url)
        self.client = httpx.AsyncClient(timeout=settings.timeout_s)

    async def send(self, alert: Alert) -> None:
        body = json.dumps(alert.payload(), ensure_ascii=False).encode()
        headers = {"content-type": "application/json", "webhook-id": alert.id}
        try:
            resp = await self.client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as e:
            raise AlertError(self.name, f"{type(e).__name__}: {e}") from e
        if resp.is_success:
            return
        retry = resp.status_code >= 500 or resp.status_code in (408, 429)
        raise AlertError(self.name, f"HTTP {resp.status_code}", retry=retry)

    async def aclose(self) -> None:
        await self.client.aclose()
