"""Value types the store hands out and takes in. Imports only `rules.model`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rules.model import Evidence


@dataclass(frozen=True, slots=True)
class FeedState:
    """What the store knows about one feed."""

    url: str
    interval_s: int
    etag: str | None = None
    last_modified: str | None = None
    status: str = "new"
    last_polled_at: datetime | None = None
    last_success_at: datetime | None = None
    next_poll_at: datetime | None = None
    error_class: str | None = None
    error: str | None = None
    error_count: int = 0
    title: str | None = None
    origin: str = "config"  # config | cli: who added it
    effective_url: str | None = None  # after permanent redirects; None: `url`
    poll_interval_s: int | None = None  # the adapted interval
    items_per_day: float | None = None
    last_new_at: datetime | None = None
    last_error_at: datetime | None = None
    error_since: datetime | None = None
    errors_total: int = 0
    health: str | None = None  # failing | silent: an operator notice is out for it
    health_at: datetime | None = None
    skipped_items: int = 0  # items skipped (unreadable, too many, failed to match), ever
    last_skip: str | None = None  # why the last one was skipped

    @property
    def fetch_url(self) -> str:
        """Where to fetch the feed: its new address after a permanent redirect."""
        return self.effective_url or self.url


@dataclass(frozen=True, slots=True)
class Lease:
    """Who takes due feeds (a daemon: host and pid), and until when at most."""

    owner: str
    until: datetime


@dataclass(frozen=True, slots=True)
class PollOutcome:
    """The result of one poll, to be recorded on the feed.

    `status` is ok, failing (counts as an error and backs off), paused (the
    server asked us to wait: no error counted) or retired (410 Gone).
    """

    at: datetime
    ok: bool
    next_poll_at: datetime | None
    etag: str | None = None
    last_modified: str | None = None
    error_class: str | None = None
    error: str | None = None
    title: str | None = None
    status: str = ""
    interval_s: int | None = None
    items_per_day: float | None = None
    new_items: int = 0
    moved_to: str | None = None
    skipped_items: int = 0  # items of this poll skipped, each for its own reason
    skip_reason: str | None = None  # the last one's reason

    @property
    def state(self) -> str:
        """The feed status this outcome leaves: `status`, else ok or failing."""
        return self.status or ("ok" if self.ok else "failing")


@dataclass(frozen=True, slots=True)
class StoredHit:
    """A hit as recorded, joined with its article."""

    id: int
    watch_id: str
    title: str
    severity: str
    article_id: str
    article_title: str
    article_url: str
    feed_url: str
    feed_title: str | None
    lang: str | None
    published_at: datetime | None
    created_at: datetime
    evidence: tuple[Evidence, ...]
    condition: str
    rule_file: str
    rule_version: str


@dataclass(frozen=True, slots=True)
class DeliveryJob:
    """A claimed delivery: which hit goes to which channel, and its history."""

    id: int
    channel: str
    idempotency_key: str
    attempts: int
    status: str
    created_at: datetime
    next_attempt_at: datetime
    last_error: str | None
    hit: StoredHit
    kind: str = "alert"
    story_id: int | None = None
    digest: bool = False
    sent_at: datetime | None = None
    parent_key: str | None = None
    parent_ref: str | None = None


@dataclass(frozen=True, slots=True)
class Planned:
    """One delivery to write with a hit: to which channel, as what, and when."""

    channel: str
    kind: str = "alert"  # alert | update | escalation
    parent_id: int | None = None
    digest_at: datetime | None = None  # held for the channel's digest at this time


@dataclass(frozen=True, slots=True)
class Destination:
    """A channel the outbox has had to stop sending to (e.g. HTTP 410 Gone)."""

    channel: str
    status: str
    reason: str | None
    changed_at: datetime


@dataclass(frozen=True, slots=True)
class Recorded:
    """What record_planned stored: the article's story, hit ids by watch, delivery ids."""

    story_id: int | None
    hit_ids: dict[str, int]
    delivery_ids: list[int]


@dataclass(frozen=True, slots=True)
class PairCount:
    """Stories per relation class in one period (its first day) for one pair."""

    period: str
    pair: tuple[str, str]
    counts: dict[str, int] = field(default_factory=dict)
    stories: int = 0  # distinct stories in the period, whatever their class


@dataclass(frozen=True, slots=True)
class Pruned:
    """What one retention run removed."""

    deleted: int  # articles without hits: gone
    emptied: int  # articles with hits: text dropped, the row kept for the hits


@dataclass(frozen=True, slots=True)
class StoreStats:
    """Numbers for status lines and metrics, read in one go."""

    feeds: dict[tuple[str, str], int] = field(default_factory=dict)  # (status, error_class)
    articles: int = 0
    hits_by_watch: dict[str, int] = field(default_factory=dict)
    deliveries: dict[tuple[str, str], int] = field(default_factory=dict)  # (channel, status)

    @property
    def hits(self) -> int:
        """Every hit recorded."""
        return sum(self.hits_by_watch.values())

    @property
    def pending(self) -> int:
        """Deliveries waiting in the outbox."""
        return sum(n for (_, status), n in self.deliveries.items() if status == "pending")


# The web console (store/console.py).
VERDICTS = ("relevant", "irrelevant")
MUTE_KINDS = ("watch", "story", "actor")


@dataclass(frozen=True, slots=True)
class HitFilter:
    """The filters of a hit list (every field optional)."""

    watch: str = ""
    actor: str = ""
    lang: str = ""
    feed: str = ""
    severity: str = ""
    verdict: str = ""  # relevant | irrelevant | none
    since: str = ""  # YYYY-MM-DD (UTC), inclusive
    until: str = ""  # YYYY-MM-DD (UTC), inclusive
    q: str = ""  # full-text search
    story: int | None = None

    def is_scanned(self) -> bool:
        """Whether no index narrows this filter: its page is read from the hits in id order.

        A story (articles.story_id) and a day range (hits.created_at) are read through
        an index; a watch through (watch_id, created_at). Language, feed, severity,
        actor and verdict are tested row by row, with a search too: its index yields
        every hit with the words, newest first, and each is tested against them
        (StoreAPI.hit_floor reads them all only when the words have few hits).
        """
        indexed = self.story is not None or self.since or self.until or self.watch
        return not indexed and any((self.lang, self.feed, self.severity, self.actor, self.verdict))

    def query(self) -> dict[str, str]:
        """The non-empty filters, as URL query parameters."""
        return {k: str(v) for k in self.__slots__ if (v := getattr(self, k)) not in ("", None)}


@dataclass(frozen=True, slots=True)
class Mute:
    """A watch, story or actor that alerts nothing until `until`."""

    id: int
    kind: str
    target: str
    until: datetime
    reason: str | None
    created_at: datetime


@dataclass
class Overview:
    """The numbers of the console's first page."""

    per_day: dict[str, dict[str, int]] = field(default_factory=dict)  # series -> day -> n
    last_hour: dict[str, int] = field(default_factory=dict)
    baseline_hour: dict[str, float] = field(default_factory=dict)
    top_stories: list[dict[str, Any]] = field(default_factory=list)
    feeds: list[dict[str, Any]] = field(default_factory=list)  # failing and silent
    outbox: dict[str, int] = field(default_factory=dict)
    dead: list[dict[str, Any]] = field(default_factory=list)


def is_muted(
    mutes: Sequence[Mute], watch_id: str, story_id: int | None, actors: Sequence[str]
) -> Mute | None:
    """The mute that silences this hit, if any."""
    for m in mutes:
        if (
            (m.kind == "watch" and m.target == watch_id)
            or (m.kind == "story" and story_id is not None and m.target == str(story_id))
            or (m.kind == "actor" and m.target in actors)
        ):
            return m
    return None


@dataclass(frozen=True, slots=True)
class StoryNeighbours:
    """What the story index knows about an article's parts in its story window."""

    stories: int  # stories in the window (the IDF's N)
    df: dict[str, int]  # part -> stories in the window that have it
    shared: dict[int, list[str]]  # candidate story -> the article's parts it has
    fingerprints: dict[int, int]  # candidate story -> its SimHash


@dataclass(frozen=True, slots=True)
class StoryJoin:
    """How an article got its story: the parts to index and why it joined."""

    parts: Sequence[str]
    at: datetime  # the article's publication time (else when it was fetched)
    method: str  # new | simhash | event
    score: float = 0.0
    shared: Sequence[tuple[str, float]] = field(default_factory=tuple)
    labels: Mapping[str, str] = field(default_factory=dict)  # part -> what the text said


@dataclass(frozen=True, slots=True)
class StoryArticle:
    """One article of a story, with how it joined."""

    article_id: str
    title: str
    url: str
    lang: str | None
    outlet: str
    published_at: datetime | None
    method: str
    score: float
    shared: list[tuple[str, float, str]]  # part, weight, what the text said
    story_id: int | None = None
    fetched_at: datetime | None = None
