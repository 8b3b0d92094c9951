"""The Slack channel: Block Kit messages by incoming webhook or bot token.

With a bot token (chat.postMessage) the first alert of a story is a message
and later articles of the story are replies in its thread (its `ts` is kept
in the outbox). An incoming webhook cannot thread: updates are posted as
short messages. Slack's documented limits are kept: 50 blocks per message,
3,000 characters per section text, 150 per header, about one message per
second per channel (bursts are folded into one message), and a 429 answer's
Retry-After is honoured.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any, ClassVar, Literal

import httpx
from pydantic import Field, model_validator

from daemon.alerts.channels.base import Alert, Channel, ChannelSettings, http_outcome, retry_after_s
from daemon.alerts.sanitize import slack as escape
from daemon.alerts.sanitize import slack_cut, slack_link, slack_plain
from daemon.alerts.secrets import resolve_from
from daemon.errors import AlertError

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_HEADER = 150
# Not a documented limit, but Slack answers msg_blocks_too_long somewhat above 13,000
# characters of block text in one message (slackapi/bolt-js#2509): stay below it.
MAX_TOTAL = 12000
FOLDED_EVIDENCE = 300  # characters of evidence per article in a folded message
EMOJI = {
    "low": ":white_circle:",
    "medium": ":large_blue_circle:",
    "high": ":large_orange_circle:",
    "critical": ":red_circle:",
}
# chat.postMessage errors that retrying cannot fix: the delivery becomes a dead letter.
FINAL_ERRORS = {
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "invalid_auth",
    "account_inactive",
    "token_revoked",
    "no_permission",
    "invalid_blocks",
    "msg_too_long",
    "msg_blocks_too_long",
    "restricted_action",
    "missing_scope",
}


class SlackSettings(ChannelSettings):
    type: Literal["slack"] = "slack"
    webhook_url: str | None = Field(None, description="Incoming-webhook URL (prefer *_env)")
    webhook_url_env: str | None = Field(None, description="Env var holding the webhook URL")
    webhook_url_file: str | None = Field(None, description="File holding the webhook URL")
    token: str | None = Field(None, description="Bot token xoxb-… (prefer token_env)")
    token_env: str | None = Field(None, description="Env var holding the bot token")
    token_file: str | None = Field(None, description="File holding the bot token")
    channel: str | None = Field(None, description="Channel id or #name (bot token only)")
    api_url: str = Field("https://slack.com/api", description="Slack Web API base URL")
    min_interval_s: float = Field(1.0, ge=0, description="Least time between two messages")
    timeout_s: float = Field(10.0, gt=0, description="Time one request may take")

    @model_validator(mode="after")
    def _one_way(self) -> SlackSettings:
        hook = self.webhook_url or self.webhook_url_env or self.webhook_url_file
        token = self.token or self.token_env or self.token_file
        if bool(hook) == bool(token):
            raise ValueError("give either webhook_url(_env/_file) or token(_env/_file)")
        if token and not self.channel:
            raise ValueError("a bot token needs `channel`")
        return self


MAX_TITLE = 300  # characters of an article title in a link: the link always closes


def cut(text: str, limit: int) -> str:
    """Mrkdwn shortened to at most `limit` characters, never inside a link or entity."""
    return slack_cut(text, limit)


def link(alert: Alert) -> str:
    h = alert.hit
    title = escape(plain_cut(h.article_title or h.article_url, MAX_TITLE))
    return slack_link(h.article_url, title)


def plain_cut(text: str, limit: int) -> str:
    """Unescaped text cut before it is escaped (an entity is never cut in half)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def evidence_mrkdwn(alert: Alert) -> str:
    """The first evidence passage, escaped, with the matched names in bold."""
    if not alert.hit.evidence:
        return ""
    ev = alert.hit.evidence[0]
    out, pos = [], 0
    for m in sorted(ev.mentions, key=lambda m: m.start):
        s, e = m.start - ev.start, m.end - ev.start
        if s < pos or s < 0 or e > len(ev.text):
            continue
        out += [escape(ev.text[pos:s]), "*", escape(ev.text[s:e]), "*"]
        pos = e
    out.append(escape(ev.text[pos:]))
    return "".join(out)


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": cut(text, MAX_SECTION)}}


def header(text: str) -> dict[str, Any]:
    """A header block; plain_text is not mrkdwn, but its mentions are defused alike."""
    clean = plain_cut(slack_plain(text), MAX_HEADER)
    return {"type": "header", "text": {"type": "plain_text", "text": clean}}


def outlet(alert: Alert) -> str:
    h = alert.hit
    return f"{escape(h.feed_title or h.feed_url)} · {h.lang or '?'}"


def alert_message(alert: Alert) -> dict[str, Any]:
    """One alert as a Block Kit message."""
    h = alert.hit
    if alert.kind == "update":
        text = f"Same story: {link(alert)} ({outlet(alert)})"
        return {"text": cut(text, MAX_SECTION), "blocks": [section(text)]}
    lead = "Escalation: unusually many hits for " if alert.kind == "escalation" else ""
    actors = "; ".join(
        f"*{escape(a)}*: {escape(', '.join(ns))}" for a, ns in alert.actor_names().items()
    )
    blocks = [
        header(f"{lead}{h.title or h.watch_id} [{h.severity}]"),
        section(f"{EMOJI.get(h.severity, '')} *{link(alert)}*\n{outlet(alert)} · `{h.watch_id}`"),
        section(f"> {evidence_mrkdwn(alert)}"),
        {"type": "context", "elements": [{"type": "mrkdwn", "text": cut(actors, MAX_SECTION)}]},
    ]
    # The top-level text is what Slack notifies with: escaped like every block.
    fallback = f"{lead}{escape(h.title or h.watch_id)}: {escape(h.article_title)}"
    return {"text": cut(fallback, MAX_SECTION), "blocks": blocks}


def batch_message(alerts: Sequence[Alert], *, digest: bool) -> dict[str, Any]:
    """Several alerts as one message: "7 new articles for …", within the block limit."""
    watches = list(dict.fromkeys(a.hit.title or a.hit.watch_id for a in alerts))
    title = f"{len(alerts)} new articles for {', '.join(watches)}"
    if digest:
        title = f"Digest: {title}"
    room = MAX_BLOCKS - 2  # the header and a closing context block
    blocks = [header(title)]
    title = escape(title)
    total = len(title)
    for a in alerts[:room]:
        prefix = "↳ same story: " if a.kind == "update" else ""
        evidence = cut(evidence_mrkdwn(a), FOLDED_EVIDENCE)
        block = section(f"{prefix}*{link(a)}*\n{outlet(a)}\n> {evidence}")
        total += len(block["text"]["text"])
        if total > MAX_TOTAL:
            break
        blocks.append(block)
    shown = len(blocks) - 1
    if len(alerts) > shown:
        more = f"+{len(alerts) - shown} more (see `wirewatch hits`)"
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": more}]})
    return {"text": cut(title, MAX_SECTION), "blocks": blocks}


class SlackChannel(Channel):
    """Posts Block Kit messages; threads story updates when it has a bot token."""

    settings: ClassVar[type[ChannelSettings]] = SlackSettings
    max_batch: ClassVar[int] = 20  # folded articles per message: all of them fit MAX_TOTAL

    def __init__(self, name: str, settings: SlackSettings) -> None:
        super().__init__(name, settings)
        self.hook = resolve_from(name, settings, "webhook_url", required=False)
        self.token = resolve_from(name, settings, "token", required=False)
        self.channel = settings.channel
        self.api_url = settings.api_url.rstrip("/")
        self.min_interval_s = settings.min_interval_s
        self.client = httpx.AsyncClient(timeout=settings.timeout_s)
        self._next_at = 0.0
        self._lock = asyncio.Lock()

    async def send(self, alert: Alert) -> str | None:
        message = alert_message(alert)
        if alert.kind == "update" and alert.parent_ref and self.token:
            message["thread_ts"] = alert.parent_ref
        return await self._post(message)

    async def send_batch(self, alerts: Sequence[Alert], *, digest: bool) -> str | None:
        return await self._post(batch_message(alerts, digest=digest))

    async def _post(self, message: dict[str, Any]) -> str | None:
        async with self._lock:  # one message at a time, at most one per interval
            wait = self._next_at - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                return await self._request(message)
            finally:
                self._next_at = max(self._next_at, time.monotonic() + self.min_interval_s)

    async def _request(self, message: dict[str, Any]) -> str | None:
        try:
            if self.token:
                resp = await self.client.post(
                    f"{self.api_url}/chat.postMessage",
                    json={"channel": self.channel, **message},
                    headers={"authorization": f"Bearer {self.token.reveal()}"},
                )
            else:
                assert self.hook is not None
                resp = await self.client.post(self.hook.reveal(), json=message)
        except httpx.HTTPError as e:
            raise AlertError(self.name, type(e).__name__) from e
        if resp.status_code == 429:
            after = retry_after_s(resp.headers.get("retry-after")) or 1.0
            self._next_at = time.monotonic() + after
        http_outcome(self.name, resp.status_code, resp.headers)
        if not self.token:
            return None
        body = resp.json()
        if not body.get("ok"):
            error = str(body.get("error", "unknown_error"))
            raise AlertError(self.name, f"slack: {error}", retry=error not in FINAL_ERRORS)
        return str(body.get("ts")) if body.get("ts") else None

    async def aclose(self) -> None:
        await self.client.aclose()
