"""The webhook channel: the alert as a JSON POST, signed per Standard Webhooks.

Headers: `webhook-id` (the delivery's idempotency key, the same on every
retry), `webhook-timestamp` (Unix seconds of this attempt) and
`webhook-signature` (`v1,` + base64 HMAC-SHA256 of `id.timestamp.body`, keyed
with the base64 part of the `whsec_…` secret). The body follows
daemon/alerts/channels/webhook.schema.json.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal

import httpx
from pydantic import AnyHttpUrl, Field, TypeAdapter, ValidationError

from daemon.alerts.channels.base import Alert, Channel, ChannelSettings, batch_id, http_outcome
from daemon.alerts.secrets import Secret, SecretError, resolve_from
from daemon.errors import AlertError

_URL: TypeAdapter[AnyHttpUrl] = TypeAdapter(AnyHttpUrl)


class WebhookSettings(ChannelSettings):
    type: Literal["webhook"] = "webhook"
    url: AnyHttpUrl | None = Field(None, description="Receiver URL (or url_env / url_file)")
    url_env: str | None = Field(None, description="Environment variable holding the URL")
    url_file: str | None = Field(None, description="File holding the URL (systemd credential)")
    secret: str | None = Field(
        None, description="Signing secret whsec_… (prefer secret_env); several, space-separated"
    )
    secret_env: str | None = Field(None, description="Environment variable holding the secret")
    secret_file: str | None = Field(None, description="File holding the secret")
    timeout_s: float = Field(10.0, gt=0, description="Time one POST may take")


def signing_keys(channel: str, secret: Secret) -> list[bytes]:
    """The HMAC keys of one or more space-separated `whsec_…` secrets (for rotation)."""
    keys = []
    for part in secret.reveal().split():
        try:
            keys.append(base64.b64decode(part.removeprefix("whsec_"), validate=True))
        except (binascii.Error, ValueError) as e:
            raise SecretError(channel, "secret", "not a whsec_ base64 secret") from e
    return keys


def sign(key: bytes, msg_id: str, timestamp: int, body: bytes) -> str:
    """The Standard Webhooks `webhook-signature` header value."""
    mac = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode()


class WebhookChannel(Channel):
    """POSTs the alert payload; 2xx is success, 410 disables, other 4xx (but 408/429) final."""

    settings: ClassVar[type[ChannelSettings]] = WebhookSettings

    def __init__(
        self,
        name: str,
        settings: WebhookSettings,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(name, settings)
        url = resolve_from(name, settings, "url")
        assert url is not None
        try:
            _URL.validate_python(url.reveal())
        except ValidationError as e:
            raise SecretError(name, "url", "not an http(s) URL") from e
        self._url = url
        secret = resolve_from(name, settings, "secret", required=False)
        self._keys = signing_keys(name, secret) if secret else []
        self.now = now
        self.client = httpx.AsyncClient(timeout=settings.timeout_s)

    async def send(self, alert: Alert) -> str | None:
        await self._post(alert.id, alert.payload())
        return None

    async def send_batch(self, alerts: Sequence[Alert], *, digest: bool) -> str | None:
        msg_id = batch_id(alerts)
        body = {
            "type": "wirewatch.digest",
            "id": msg_id,
            "alerts": [a.payload() for a in alerts],
        }
        await self._post(msg_id, body)
        return None

    async def _post(self, msg_id: str, payload: dict[str, Any]) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode()
        stamp = int(self.now().timestamp())
        headers = {
            "content-type": "application/json",
            "webhook-id": msg_id,
            "webhook-timestamp": str(stamp),
        }
        if self._keys:  # one signature per secret: receivers accept any (key rotation)
            headers["webhook-signature"] = " ".join(
                sign(key, msg_id, stamp, body) for key in self._keys
            )
        try:
            resp = await self.client.post(self._url.reveal(), content=body, headers=headers)
        except httpx.HTTPError as e:
            # The exception text can carry the URL, which may be a secret: name the class only.
            raise AlertError(self.name, f"{type(e).__name__}") from e
        http_outcome(self.name, resp.status_code, resp.headers)

    async def aclose(self) -> None:
        await self.client.aclose()
