"""Once per story: event and near-duplicate grouping, cooldown, digests, burst escalation.

An article joins a story published within `window` of it when its event
fingerprint (rules/fingerprint.py: actors, places, names, numbers, dates, cue;
the same parts in every language) agrees enough with the story's, or when its
64-bit SimHash over word 3-shingles is within `max_distance` bits of the
story's (near-copies). Candidate stories come from the store's index of event
parts (store/storyindex.py), never from a scan of every open story.

A watch alerts once per story and channel within its cooldown; later
articles of the story become updates (a Slack thread reply, a follow-up
line in a digest, In-Reply-To in mail).
Channels with a digest hold alerts until their next slot, except high and
critical severity. When a watch fires far more often than its own baseline,
one escalation alert goes out per window.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from daemon.alerts.channels import ChannelSettings
from daemon.alerts.digest import Schedule, parse_schedule
from rules.duration import parse_duration
from rules.fingerprint import Agreement, Fingerprint, agreement
from rules.fingerprint import fingerprint as event_fingerprint
from rules.model import Article, Hit
from store import Planned, Recorded, StoreAPI, StoryJoin, StoryNeighbours, is_muted

log = logging.getLogger(__name__)

Seconds = Annotated[float, BeforeValidator(parse_duration)]
BYPASS_DIGEST = ("high", "critical")
_WORD = re.compile(r"\w+")
_BITS = np.arange(64, dtype=np.uint64)


class StoryConfig(BaseModel):
    """The `stories:` section of wirewatch.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    window: Seconds = Field(3 * 86400.0, gt=0, description="How long a story stays open")
    max_distance: int = Field(
        12, ge=0, le=32, description="SimHash bits two articles of one story may differ in"
    )
    cooldown: Seconds = Field(
        6 * 3600.0, ge=0, description="Default quiet time per story for watches without one"
    )
    events: bool = Field(True, description="Join reports of one event across outlets and languages")
    min_score: float = Field(
        7.0, ge=0, description="Event fingerprint agreement an article needs to join a story"
    )
    min_parts: int = Field(
        2, ge=1, description="Shared event parts besides actors an article needs to join"
    )


class EscalationConfig(BaseModel):
    """The `escalation:` section: one alert when a watch fires far above its baseline."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    enabled: bool = True
    window: Seconds = Field(3600.0, gt=0, description="The recent period that is compared")
    baseline: Seconds = Field(7 * 86400.0, gt=0, description="The period before it, as usual")
    factor: float = Field(5.0, gt=1, description="How many times the usual rate is a burst")
    min_hits: int = Field(5, ge=1, description="Fewer hits in the window never escalate")


def shingles(title: str, text: str, size: int = 3) -> list[str]:
    """Word n-grams of the normalised (NFKC, case-folded, punctuation-free) title and text."""
    words = _WORD.findall(unicodedata.normalize("NFKC", f"{title}\n{text}").casefold())
    if len(words) < size:
        return [" ".join(words)] if words else []
    return [" ".join(words[i : i + size]) for i in range(len(words) - size + 1)]


def fingerprint(title: str, text: str) -> int:
    """A 64-bit SimHash of an article: near-identical texts differ in few bits."""
    grams = shingles(title, text)
    if not grams:
        return 0
    digests = b"".join(hashlib.blake2b(g.encode(), digest_size=8).digest() for g in grams)
    hashes = np.frombuffer(digests, dtype=">u8").astype(np.uint64)
    bits = (hashes[:, None] >> _BITS) & np.uint64(1)  # one row per shingle, one column per bit
    votes = bits.sum(axis=0, dtype=np.int64) * 2 - len(grams)
    return sum(1 << int(bit) for bit in np.flatnonzero(votes > 0))


def distance(a: int, b: int) -> int:
    """Hamming distance of two fingerprints."""
    return (a ^ b).bit_count()


def nearest(candidates: Sequence[tuple[int, int]], fp: int, max_distance: int) -> int | None:
    """The id of the closest story within `max_distance`, newest first on ties."""
    best: tuple[int, int] | None = None
    for story_id, other in candidates:
        d = distance(fp, other)
        if d <= max_distance and (best is None or d < best[0]):
            best = (d, story_id)
    return best[1] if best else None


def simhash_bands(fp: int) -> list[str]:
    """Four 16-bit bands of a SimHash as index parts: near-copies share at least one."""
    return [f"h:{i}:{(fp >> (16 * i)) & 0xFFFF:04x}" for i in range(4)]


def event_of(article: Article, hits: Sequence[tuple[Hit, Sequence[str]]]) -> Fingerprint:
    """The article's event fingerprint, with the actors (and relations) its hits found."""
    actors: set[str] = set()
    relations: set[str] = set()
    skip: list[tuple[int, int]] = []
    offset = len(article.title) + 2  # fingerprint reads title + blank line + text
    for h, _ in hits:
        for ev in h.evidence:
            actors.update(ev.actors)
            for m in ev.mentions:
                actors.add(m.actor)
                skip.append((offset + m.start, offset + m.end))
            # Relations (actor pair and class) when the engine gives them.
            for r in getattr(ev, "relations", None) or ():
                pair = "+".join(sorted(getattr(r, "actors", ()) or ()))
                kind = getattr(r, "kind", None) or getattr(r, "cls", None)
                if pair and kind:
                    relations.add(f"{pair}:{kind}")
    published = article.published_at.date() if article.published_at else None
    return event_fingerprint(
        article.title,
        article.text,
        published=published,
        actors=sorted(actors),
        relations=sorted(relations),
        skip=skip,
    )


def choose_story(
    near: StoryNeighbours, fp: int, event: Fingerprint, config: StoryConfig
) -> tuple[int | None, str, Agreement]:
    """The story an article joins (or None), how (simhash | event | new) and why."""
    best: tuple[float, int, Agreement] | None = None
    for story_id, shared in near.shared.items():
        other = near.fingerprints.get(story_id)
        if other is not None and distance(fp, other) <= config.max_distance:
            return story_id, "simhash", agreement(shared, near.df, near.stories)
        if not config.events:
            continue
        agreed = agreement(shared, near.df, near.stories)
        if agreed.is_join(config.min_score, config.min_parts) and (
            best is None or agreed.score > best[0]
        ):
            best = (agreed.score, story_id, agreed)
    if best is None:
        return None, "new", Agreement(0.0, ())
    return best[1], "event", best[2]


def backfill_split(
    fresh: Sequence[Article], backfill: int | Literal["all"] | None
) -> tuple[list[Article], list[Article]]:
    """(to match, to only mark as seen): on a feed's first poll only the newest N are matched."""
    if backfill is None or backfill == "all":
        return list(fresh), []
    dated = sorted(
        enumerate(fresh),
        key=lambda p: (p[1].published_at is not None, p[1].published_at, -p[0]),
        reverse=True,
    )
    keep = {i for i, _ in dated[:backfill]}
    return [a for i, a in enumerate(fresh) if i in keep], [
        a for i, a in enumerate(fresh) if i not in keep
    ]


class Stories:
    """Records articles with their story and plans each hit's deliveries."""

    def __init__(
        self,
        store: StoreAPI,
        channels: Mapping[str, ChannelSettings],
        cooldowns: Callable[[], Mapping[str, str | None]],
        config: StoryConfig | None = None,
        escalation: EscalationConfig | None = None,
    ) -> None:
        self.store = store
        self.config = config or StoryConfig.model_validate({})
        self.escalation = escalation or EscalationConfig.model_validate({})
        self.cooldowns = cooldowns
        self.digests: dict[str, Schedule] = {
            name: parse_schedule(s.digest, s.timezone) for name, s in channels.items() if s.digest
        }

    def cooldown(self, watch_id: str) -> timedelta:
        """The watch's cooldown, else the default."""
        raw = self.cooldowns().get(watch_id)
        return timedelta(seconds=parse_duration(raw) if raw else self.config.cooldown)

    def record(
        self, article: Article, hits: Sequence[tuple[Hit, Sequence[str]]], now: datetime
    ) -> Recorded:
        """Store the article in its story, its hits and their planned deliveries."""
        fp = fingerprint(article.title, article.text)
        event = event_of(article, hits)
        parts = [*event.keys(), *simhash_bands(fp)]
        at = article.published_at or now
        window = timedelta(seconds=self.config.window)
        # Several daemons: decide and record under the store's story lock, so that two
        # articles of one story recorded at once join one story and alert once.
        with self.store.story_lock():
            # Only the stories that share a rare part are read (an index look-up).
            near = self.store.story_neighbours(parts, at, window)
            story, method, agreed = choose_story(near, fp, event, self.config)
            join = StoryJoin(parts, at, method, agreed.score, agreed.shared, event.parts)
            planned = []
            mutes = self.store.mutes(now)
            for h, chans in hits:
                mute = is_muted(mutes, h.watch_id, story, [a for e in h.evidence for a in e.actors])
                if chans and mute:  # recorded all the same; alerted to no channel
                    log.info("hit muted watch=%s mute=%s:%s", h.watch_id, mute.kind, mute.target)
                    chans = ()
                plans = [self.plan(h, c, story, now) for c in chans]
                if chans and self.is_burst(h.watch_id, now):
                    plans += [Planned(c, "escalation") for c in chans]
                planned.append((h, plans))
            # The article, its story, hits and every delivery (escalations too): one
            # transaction.
            return self.store.record_planned(
                article, planned, now, fingerprint=fp, story_id=story, join=join
            )

    def plan(self, hit: Hit, channel: str, story: int | None, now: datetime) -> Planned:
        """Alert or update, now or in the channel's next digest."""
        parent = None
        if story is not None:
            parent = self.store.story_parent(
                hit.watch_id, story, channel, now - self.cooldown(hit.watch_id)
            )
        schedule = self.digests.get(channel)
        digest_at = None
        if schedule and hit.severity not in BYPASS_DIGEST:
            digest_at = parent[1] if parent and parent[1] else schedule.next_after(now)
        if parent:
            return Planned(channel, "update", parent[0], digest_at)
        return Planned(channel, "alert", None, digest_at)

    def is_burst(self, watch_id: str, now: datetime) -> bool:
        """Whether one more hit now makes the watch's rate k x its baseline (once per window)."""
        cfg = self.escalation
        if not cfg.enabled:
            return False
        window, baseline = timedelta(seconds=cfg.window), timedelta(seconds=cfg.baseline)
        recent = 1 + self.store.hit_count(watch_id, now - window, now + timedelta(microseconds=1))
        if recent < cfg.min_hits:
            return False
        usual = self.store.hit_count(watch_id, now - window - baseline, now - window)
        if recent <= cfg.factor * usual * (window / baseline):
            return False
        last = self.store.last_escalation(watch_id)
        return last is None or last <= now - window
