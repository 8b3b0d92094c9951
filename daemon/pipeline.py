"""One poll of one feed: fetch, parse, skip what is known, match, record."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import httpx

from daemon.errors import FetchError
from daemon.fetch import fetch
from daemon.parse import ParseError, parse_feed
from daemon.stories import Stories, backfill_split
from rules.engine import Engine
from rules.model import Article, Hit
from store import FeedState, PollOutcome, Store

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=24)


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


def route(hit: Hit, channels: Sequence[str]) -> list[str]:
    """The channels a hit goes to: the watch's own list, else every channel."""
    if hit.channels:
        return [c for c in hit.channels if c in channels] or list(hit.channels)
    return list(channels)


def match_articles(
    engine: Engine, articles: Sequence[Article]
) -> list[tuple[Article, tuple[Hit, ...]]]:
    """Match each article (pure; run off the event loop by the caller)."""
    out = []
    for a in articles:
        result = engine.match(a.text, lang=a.lang, article_id=a.id, source=a.feed_url)
        out.append((a, result.hits))
    return out


async def poll_feed(
    feed: FeedState,
    *,
    client: httpx.AsyncClient,
    store: Store,
    engine: Engine,
    channels: Sequence[str],
    now: Callable[[], datetime],
    lang: str | None = None,
    stories: Stories | None = None,
    backfill: int | Literal["all"] = "all",
) -> PollReport:
    """Poll one feed and record new articles, hits and pending deliveries."""
    started = now()
    interval = timedelta(seconds=feed.interval_s)
    try:
        fetched = await fetch(client, feed.url, etag=feed.etag, last_modified=feed.last_modified)
        if fetched.is_unchanged:
            store.record_poll(feed.url, PollOutcome(started, True, _next(started, interval)))
            log.debug("feed unchanged feed=%s", feed.url)
            return PollReport(feed.url, True, unchanged=True)
        try:
            parsed = parse_feed(fetched.body, feed.url, fetched.headers, lang=lang)
        except ParseError as e:
            raise FetchError(feed.url, "not_a_feed", str(e)) from e
    except FetchError as e:
        delay = min(interval * (2 ** min(feed.error_count, 10)), max(MAX_BACKOFF, interval))
        store.record_poll(
            feed.url,
            PollOutcome(
                started, False, _next(started, delay), error_class=e.error_class, error=e.reason
            ),
        )
        log.warning("fetch failed feed=%s class=%s reason=%s", feed.url, e.error_class, e.reason)
        return PollReport(feed.url, False, error=str(e))
    if parsed.warning:
        log.info("feed parsed with warnings feed=%s warning=%s", feed.url, parsed.warning)

    known = store.known_articles([a.id for a in parsed.articles])
    fresh = [a for a in parsed.articles if a.id not in known]
    # A feed's first poll only marks older items as seen (no flood when a feed is added).
    to_match, seen = backfill_split(fresh, backfill if feed.last_success_at is None else None)
    matched = await asyncio.to_thread(match_articles, engine, to_match)
    matched += [(a, ()) for a in seen]
    record = stories.record if stories else store.record_article
    hits = 0
    for article, article_hits in matched:
        record(article, [(h, route(h, channels)) for h in article_hits], now())
        hits += len(article_hits)
        for h in article_hits:
            log.info("hit watch=%s article=%s", h.watch_id, article.url or article.id)
    store.record_poll(
        feed.url,
        PollOutcome(
            started,
            True,
            _next(started, interval),
            etag=fetched.etag,
            last_modified=fetched.last_modified,
            title=parsed.title,
        ),
    )
    log.info(
        "feed polled feed=%s articles=%d new=%d hits=%d",
        feed.url,
        len(parsed.articles),
        len(fresh),
        hits,
    )
    return PollReport(feed.url, True, articles=len(parsed.articles), new=len(fresh), hits=hits)


def _next(at: datetime, interval: timedelta) -> datetime:
    # Up to 10% jitter spreads feeds that share an interval.
    return at + interval + timedelta(seconds=random.uniform(0, interval.total_seconds() * 0.1))
