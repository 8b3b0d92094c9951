"""What every alert channel shares: the alert it is given and its contract."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from store.codec import evidence_dict, ts
from store.model import DeliveryJob, StoredHit


class ChannelSettings(BaseModel):
    """Settings every channel accepts; channels extend this."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    type: str


class Channel(ABC):
    """An alert sink, built from its validated settings. `send` raises AlertError."""

    settings: ClassVar[type[ChannelSettings]] = ChannelSettings

    def __init__(self, name: str, settings: Any) -> None:
        self.name = name

    @abstractmethod
    async def send(self, alert: Alert) -> None:
        """Deliver one alert or raise AlertError."""

    async def aclose(self) -> None:
        """Release connections; the default has none."""
        return None


@dataclass(frozen=True, slots=True)
class Alert:
    """One hit to be sent to one channel, with its idempotency key."""

    id: str
    channel: str
    hit: StoredHit
    attempt: int

    @classmethod
    def from_job(cls, job: DeliveryJob) -> Alert:
        return cls(job.idempotency_key, job.channel, job.hit, job.attempts + 1)

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
        """The documented JSON body of an alert (see docs/webhook.schema.json)."""
        h = self.hit
        return {
            "type": "wirewatch.hit",
            "id": self.id,
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
