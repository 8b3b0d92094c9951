"""What every alert channel shares: the alert it is given and its contract."""

from __future__ import annotations

import dataclasses
import email.utils
import hashlib
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

import httpx
from pydantic import BaseModel, ConfigDict, Field, field_validator

from daemon.alerts import sanitize
from daemon.alerts.digest import parse_schedule
from daemon.errors import AlertError
from rules.model import Evidence
from store.codec import evidence_dict, ts
from store.model import DeliveryJob, StoredHit


class ChannelSettings(BaseModel):
    """Settings every channel accepts; channels extend this."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    type: str
    digest: str | None = Field(
        None, description="'hourly' or 'daily at HH:MM': collect alerts into one message"
    )
    timezone: str = Field("UTC", description="Time zone of the digest schedule (IANA name)")

    @field_validator("digest")
    @classmethod
    def _digest(cls, value: str | None) -> str | None:
        if value is not None:
            parse_schedule(value, "UTC")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        parse_schedule("hourly", value)
        return value


class DestinationGoneError(AlertError):
    """The receiver says the destination is gone for good (HTTP 410): stop sending."""

    def __init__(self, channel: str, reason: str) -> None:
        super().__init__(channel, reason, retry=False)


class Channel(ABC):
    """An alert sink, built from its validated settings. Sending raises AlertError.

    `send` delivers one alert and returns the receiver's reference to it (a
    Slack message ts) or None. `send_batch` delivers several alerts as one
    message: a digest, or (for channels with `max_batch` > 1) a folded burst.
    """

    settings: ClassVar[type[ChannelSettings]] = ChannelSettings
    max_batch: ClassVar[int] = 1

    def __init__(self, name: str, settings: Any) -> None:
        self.name = name

    @abstractmethod
    async def send(self, alert: Alert) -> str | None:
        """Deliver one alert or raise AlertError."""

    @abstractmethod
    async def send_batch(self, alerts: Sequence[Alert], *, digest: bool) -> str | None:
        """Deliver several alerts as one message or raise AlertError."""

    async def aclose(self) -> None:
        """Release connections; the default has none."""
        return None


def batch_id(alerts: Sequence[Alert]) -> str:
    """A stable id for a message made of several alerts (the same members, the same id)."""
    digest = hashlib.sha256(",".join(a.id for a in alerts).encode()).hexdigest()
    return f"msg_b{digest[:31]}"


@dataclass(frozen=True, slots=True)
class Alert:
    """One hit to be sent to one channel, with its idempotency key."""

    id: str
    channel: str
    hit: StoredHit
    attempt: int
    kind: str = "alert"  # alert | update (a later article of a story) | escalation
    story_id: int | None = None
    parent_id: str | None = None  # id of the story's first alert on this channel
    parent_ref: str | None = None  # the receiver's reference to it (Slack ts)

    @classmethod
    def from_job(cls, job: DeliveryJob) -> Alert:
        """The alert of a claimed delivery, its feed-written text made `plain` for every
        channel (each channel adds what its own target needs: see sanitize.py)."""
        return cls(
            job.idempotency_key,
            job.channel,
            clean_hit(job.hit),
            job.attempts + 1,
            kind=job.kind,
            story_id=job.story_id,
            parent_id=job.parent_key,
            parent_ref=job.parent_ref,
        )

    def actor_names(self) -> dict[str, list[str]]:
        """Distinct matched names per actor, in order of appearance."""
        out: dict[str, list[str]] = {}
        for ev in self.hit.evidence:
            for m in ev.mentions:
                names = out.setdefault(m.actor, [])
                if m.text not in names:
                    names.append(m.text)
        return out

    def payload(self) -> dict[str, Any]:
        """The documented JSON body of an alert (daemon/alerts/channels/webhook.schema.json)."""
        h = self.hit
        return {
            "type": f"wirewatch.{'hit' if self.kind == 'alert' else self.kind}",
            "id": self.id,
            "story": {"id": self.story_id, "first_alert_id": self.parent_id},
            "watch": {
                "id": h.watch_id,
                "title": h.title,
                "severity": h.severity,
                "condition": h.condition,
                "rule_file": h.rule_file,
                "rule_version": h.rule_version,
            },
            "article": {
                "id": h.article_id,
                "title": h.article_title,
                "url": h.article_url,
                "feed": h.feed_url,
                "feed_title": h.feed_title,
                "lang": h.lang,
                "published_at": ts(h.published_at),
            },
            "actors": self.actor_names(),
            "evidence": [evidence_dict(e) for e in h.evidence],
            "hit_id": h.id,
            "created_at": ts(h.created_at),
        }


def clean_hit(h: StoredHit) -> StoredHit:
    """A stored hit with every text a feed wrote cleaned: one-line titles and URLs, and
    evidence defused in place (its offsets stay valid), feed credentials redacted."""
    return dataclasses.replace(
        h,
        title=sanitize.line(h.title),
        article_title=sanitize.line(h.article_title),
        article_url=sanitize.web_url(h.article_url),  # a link in any channel: http(s) only
        feed_url=sanitize.redact_url(sanitize.line(h.feed_url)),
        feed_title=sanitize.line(h.feed_title) if h.feed_title is not None else None,
        lang=sanitize.line(h.lang) if h.lang is not None else None,
        evidence=tuple(clean_evidence(e) for e in h.evidence),
    )


def clean_evidence(e: Evidence) -> Evidence:
    """Evidence with its text and names defused (same length: offsets stay valid)."""
    mentions = tuple(dataclasses.replace(m, text=sanitize.defuse(m.text)) for m in e.mentions)
    return dataclasses.replace(e, text=sanitize.defuse(e.text), mentions=mentions)


def highlight(text: str, start: int, spans: list[tuple[int, int]], mark: tuple[str, str]) -> str:
    """`text` (which starts at offset `start`) with each span wrapped in `mark`."""
    out, pos = [], 0
    for s, e in sorted(spans):
        s, e = s - start, e - start
        if s < pos or s < 0 or e > len(text):
            continue
        out += [text[pos:s], mark[0], text[s:e], mark[1]]
        pos = e
    out.append(text[pos:])
    return "".join(out)


def retry_after_s(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


# What a second attempt may cure: the network, the receiver's host, a timeout. Anything
# else a channel raises (a header that cannot be rendered, a template error, a bug) fails
# the same way for the same alert: retrying it would only hold the channel's queue.
TRANSIENT = (OSError, TimeoutError, httpx.TransportError)


def as_alert_error(channel: str, error: Exception) -> AlertError:
    """The one place a channel's failure is classified: transient (retried) or permanent
    (a dead letter at once, with its reason)."""
    if isinstance(error, AlertError):
        return error
    transient = isinstance(error, TRANSIENT)
    kind = "" if transient else "permanent: "
    return AlertError(channel, f"{kind}{type(error).__name__}: {error}", retry=transient)


def http_outcome(channel: str, status: int, headers: Mapping[str, str]) -> None:
    """Raise the AlertError an HTTP status means; return on 2xx.

    410 disables the destination; 408, 429 and 5xx are retried (honouring
    Retry-After); any other status is final (a dead letter).
    """
    if 200 <= status < 300:
        return
    if status == 410:
        raise DestinationGoneError(channel, "HTTP 410 Gone: destination disabled")
    retry = status >= 500 or status in (408, 429)
    raise AlertError(
        channel,
        f"HTTP {status}",
        retry=retry,
        retry_after_s=retry_after_s(headers.get("retry-after")),
    )
