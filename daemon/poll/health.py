"""Feed health: never silent. Decides when a feed's trouble is told to the operator.

A feed failing for longer than `health.failing_after`, silent for longer than
`health.silent_factor` expected gaps between its entries (and at least
`failing_after`), or retired (410 Gone) raises one operator notice; a feed
that recovers raises one more. Notices go into the outbox (see store.feeds)
for the channel `health.channel`, and are always logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from daemon.poll.cadence import DAY_S
from store import FeedState, StoreAPI

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class HealthPolicy:
    """Where notices go and when a feed counts as failing or silent."""

    channel: str | None = None
    failing_after_s: float = 6 * 3600.0
    silent_factor: float = 4.0


def assess(feed: FeedState, now: datetime, policy: HealthPolicy) -> str | None:
    """The feed's problem worth a notice (retired, failing, silent), or None."""
    if feed.status == "retired":
        return "retired"
    if feed.status in ("failing", "paused") and feed.error_since is not None:
        # Paused (the server asked us to wait) counts no error, but a feed that has not
        # been read for `failing_after` is a problem all the same.
        failing = (now - feed.error_since).total_seconds() >= policy.failing_after_s
        return "failing" if failing else feed.health
    if feed.status == "ok" and feed.items_per_day and feed.last_new_at is not None:
        expected_gap_s = DAY_S / feed.items_per_day
        limit_s = max(policy.silent_factor * expected_gap_s, policy.failing_after_s)
        if (now - feed.last_new_at).total_seconds() > limit_s:
            return "silent"
    return None


def describe(feed: FeedState, problem: str | None, now: datetime) -> tuple[str, str]:
    """The title and text of a notice about `problem` (None: recovered)."""
    name = f"{feed.title} ({feed.url})" if feed.title else feed.url
    if problem == "retired":
        return (
            f"Feed retired: {name}",
            f"{feed.url} answered 410 Gone ({feed.error}); it is no longer polled. "
            f"Add it again with `wirewatch feeds add` if it comes back.",
        )
    if problem == "failing":
        since = feed.error_since.isoformat(timespec="minutes") if feed.error_since else "?"
        if feed.status == "paused":
            what = f"has asked us to wait (Retry-After) since {since}"
        else:
            what = f"has failed {feed.error_count} times since {since}"
        upcoming = feed.next_poll_at.isoformat(timespec="minutes") if feed.next_poll_at else "?"
        return (
            f"Feed failing: {name}",
            f"{feed.url} {what}: {feed.error_class}: {feed.error}. "
            f"Still polling; next poll {upcoming}.",
        )
    if problem == "silent":
        last = feed.last_new_at.isoformat(timespec="minutes") if feed.last_new_at else "?"
        per_day = feed.items_per_day or 0.0
        return (
            f"Feed silent: {name}",
            f"{feed.url} has published nothing new since {last}; it used to publish "
            f"about {per_day:.1f} entries a day. It still answers.",
        )
    return f"Feed recovered: {name}", f"{feed.url} works again (was {feed.health})."


def check_health(store: StoreAPI, url: str, now: datetime, policy: HealthPolicy) -> str | None:
    """Raise or clear an operator notice for one feed after a poll; returns what was raised."""
    feed = store.feed(url)
    if feed is None:
        return None
    problem = assess(feed, now, policy)
    if problem == feed.health:
        return None
    title, text = describe(feed, problem, now)
    log.warning("feed health feed=%s problem=%s notice=%s", url, problem or "recovered", title)
    if policy.channel:
        severity = "low" if problem is None else "high"
        store.record_notice(
            url, title=title, text=text, channels=[policy.channel], now=now, severity=severity
        )
    store.set_health(url, problem, now)
    return problem or "recovered"
