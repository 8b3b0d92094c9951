"""One poll of one feed: fetch, parse, skip what is known, match, record, schedule.

Every outcome is recorded on the feed and checked for health; nothing here
raises for a bad feed. The steps are separate functions so that each can be
read, tested and changed alone (`record_articles` is where articles, hits and
deliveries are written).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import httpx

from daemon.alerts.stories import Stories, backfill_split
from daemon.errors import FetchError
from daemon.poll import cadence
from daemon.poll.analyze import Analyzer, Matched
from daemon.poll.cadence import Bounds
from daemon.poll.fetch import Fetched, FetchLimits, fetch
from daemon.poll.fulltext import fill_full_text
from daemon.poll.health import HealthPolicy, check_health
from daemon.poll.parse import ParsedFeed, ParseError, canonical_link
from rules.model import Article, Hit
from store import FeedState, PollOutcome, StoreAPI

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PollReport:
    """What one poll did."""

    url: str
    ok: bool
    unchanged: bool = False
    articles: int = 0
    new: int = 0
    hits: int = 0
    error: str | None = None
    status: str = ""


@dataclass(frozen=True, slots=True)
class FeedSettings:
    """Per-feed settings from the config (defaults for feeds added by CLI)."""

    lang: str | None = None
    bounds: Bounds = field(default_factory=Bounds)
    full_text: bool = False
    # On a feed's first poll only the newest N items are matched; the rest are marked seen.
    backfill: int | Literal["all"] = 3


@dataclass(frozen=True, slots=True)
class Poller:
    """What every poll needs: network, store, analysis, channels, clock, policies."""

    client: httpx.AsyncClient
    store: StoreAPI
    analyzer: Analyzer
    channels: tuple[str, ...]
    now: Callable[[], datetime]
    limits: FetchLimits = field(default_factory=FetchLimits)
    health: HealthPolicy = field(default_factory=HealthPolicy)
    stories: Stories | None = None


def route(hit: Hit, channels: Sequence[str]) -> list[str]:
    """The channels a hit goes to: the watch's own list, else every channel."""
    if hit.channels:
        return [c for c in hit.channels if c in channels] or list(hit.channels)
    return list(channels)


async def poll_feed(feed: FeedState, settings: FeedSettings, ctx: Poller) -> PollReport:
    """Poll one feed and record new articles, hits, pending deliveries and the schedule."""
    started = ctx.now()
    try:
        fetched = await fetch(
            ctx.client,
            feed.fetch_url,
            etag=feed.etag,
            last_modified=feed.last_modified,
            limits=ctx.limits,
        )
        if fetched.is_unchanged:
            outcome = unchanged_outcome(feed, fetched, settings.bounds, started)
            report = PollReport(feed.url, True, unchanged=True, status="ok")
            log.debug("feed unchanged feed=%s", feed.url)
        else:
            outcome, report = await take_feed(feed, fetched, settings, ctx, started)
    except (FetchError, ParseError) as e:
        outcome = failure_outcome(feed, e, settings.bounds, started)
        report = PollReport(feed.url, False, error=str(e), status=outcome.state)
        log.warning(
            "fetch failed feed=%s class=%s status=%s reason=%s",
            feed.url,
            e.error_class,
            outcome.state,
            e.reason,
        )
    ctx.store.record_poll(feed.url, outcome)
    check_health(ctx.store, feed.url, ctx.now(), ctx.health)
    return report


async def take_feed(
    feed: FeedState, fetched: Fetched, settings: FeedSettings, ctx: Poller, started: datetime
) -> tuple[PollOutcome, PollReport]:
    """Parse a fetched body, match and record what is new; the outcome to record."""
    # The headers as received: a Content-Location we made up would make feedparser
    # resolve relative guids against it, and identities would change with redirects.
    parsed = await ctx.analyzer.parse(fetched.body, feed.url, fetched.headers, settings.lang)
    if parsed.warning:
        log.info("feed parsed with warnings feed=%s warning=%s", feed.url, parsed.warning)
    fresh = new_articles(ctx.store, feed.url, parsed.articles)
    # A feed's first poll only marks older items as seen (no flood when a feed is added).
    first_poll = feed.last_success_at is None
    to_match, seen = backfill_split(fresh, settings.backfill if first_poll else None)
    if settings.full_text and to_match:
        to_match = await fill_full_text(ctx.client, to_match, ctx.limits)
    matched = await ctx.analyzer.match(to_match)
    matched += [(a, ()) for a in seen]
    hits = record_articles(ctx.store, matched, ctx.channels, ctx.now(), ctx.stories)
    outcome = success_outcome(feed, fetched, parsed, settings.bounds, started, len(fresh))
    log.info(
        "feed polled feed=%s articles=%d new=%d hits=%d next_in_s=%d",
        feed.url,
        len(parsed.articles),
        len(fresh),
        hits,
        outcome.interval_s or 0,
    )
    report = PollReport(
        feed.url, True, articles=len(parsed.articles), new=len(fresh), hits=hits, status="ok"
    )
    return outcome, report


def new_articles(store: StoreAPI, feed_url: str, articles: Sequence[Article]) -> list[Article]:
    """Articles not stored yet: unknown id and, when they have a link, unknown link.

    A changed guid with the same canonical link is the same article.
    """
    known_ids = store.known_articles([a.id for a in articles])
    links = {a.id: canonical_link(a.url) for a in articles}
    known_links = store.known_links(feed_url, list(links.values()))
    fresh: dict[str, Article] = {}
    seen_links: set[str] = set()
    for a in articles:
        link = links[a.id]
        if a.id in known_ids or a.id in fresh or (link and link in known_links | seen_links):
            continue
        fresh[a.id] = a
        if link:
            seen_links.add(link)
    return list(fresh.values())


def record_articles(
    store: StoreAPI,
    matched: Matched,
    channels: Sequence[str],
    now: datetime,
    stories: Stories | None = None,
) -> int:
    """Record each new article with its hits and pending deliveries; the number of hits.

    With `stories`, articles join their story and a watch alerts once per story.
    """
    record = stories.record if stories else store.record_article
    hits = 0
    for article, article_hits in matched:
        record(article, [(h, route(h, channels)) for h in article_hits], now)
        hits += len(article_hits)
        for h in article_hits:
            log.info("hit watch=%s article=%s", h.watch_id, article.url or article.id)
    store.set_canonical_links((a.id, canonical_link(a.url)) for a, _ in matched)
    return hits


def success_outcome(
    feed: FeedState,
    fetched: Fetched,
    parsed: ParsedFeed,
    bounds: Bounds,
    at: datetime,
    new_items: int,
) -> PollOutcome:
    """A 200 with a feed: the interval adapts to the entries' rate and server hints."""
    rate = cadence.items_per_day([a.published_at for a in parsed.articles], at)
    interval = cadence.interval_s(
        bounds, rate or feed.items_per_day, ttl_s=parsed.ttl_s, fresh_for_s=fetched.fresh_for_s
    )
    return PollOutcome(
        at,
        True,
        cadence.next_at(at, interval, bounds.max_s),
        etag=fetched.etag,
        last_modified=fetched.last_modified,
        title=parsed.title,
        interval_s=round(interval),
        items_per_day=rate,
        new_items=new_items,
        moved_to=fetched.moved_to,
    )


def unchanged_outcome(
    feed: FeedState, fetched: Fetched, bounds: Bounds, at: datetime
) -> PollOutcome:
    """A 304: keep the interval learnt so far, unless the server asks for longer."""
    interval = feed.poll_interval_s or cadence.interval_s(bounds, feed.items_per_day)
    interval = bounds.clamp(max(interval, fetched.fresh_for_s or 0.0))
    return PollOutcome(
        at,
        True,
        cadence.next_at(at, interval, bounds.max_s),
        etag=fetched.etag,
        last_modified=fetched.last_modified,
        interval_s=round(interval),
        moved_to=fetched.moved_to,
    )


def failure_outcome(
    feed: FeedState, error: FetchError | ParseError, bounds: Bounds, at: datetime
) -> PollOutcome:
    """410 retires the feed; 429/503 with Retry-After pauses it; the rest back off."""
    status = getattr(error, "status", None)
    retry_after = getattr(error, "retry_after_s", None)
    next_poll_at: datetime | None
    if status == 410:
        log.warning("feed retired feed=%s reason=410 Gone", feed.url)
        state, next_poll_at = "retired", None
    elif status in (429, 503) and retry_after is not None:
        state = "paused"
        wait = cadence.pause_s(bounds, retry_after)
        next_poll_at = cadence.next_at(at, wait, cadence.MAX_BACKOFF_S)
    else:
        interval = feed.poll_interval_s or bounds.clamp(bounds.base_s)
        wait = cadence.backoff_s(bounds, interval, feed.error_count + 1)
        state, next_poll_at = "failing", cadence.next_at(at, wait, cadence.MAX_BACKOFF_S)
    return PollOutcome(
        at,
        False,
        next_poll_at,
        error_class=error.error_class,
        error=error.reason,
        status=state,
    )


def record_crash(feed: FeedState, bounds: Bounds, ctx: Poller, error: Exception) -> None:
    """Record a poll that crashed (our bug, not the feed's) as a failure that backs off.

    Without it the feed would stay due and crash again at every tick.
    """
    try:
        reason = f"internal error: {type(error).__name__}: {error}"
        failure = ParseError("parse", reason[:500])
        ctx.store.record_poll(feed.url, failure_outcome(feed, failure, bounds, ctx.now()))
    except Exception:
        log.exception("cannot record crashed poll feed=%s", feed.url)
