"""When to poll a feed next: adaptive intervals, server hints, backoff, jitter.

Pure: every function maps values (and a random source) to values; the clock
is a parameter. Imports neither the store nor the network.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

DAY_S = 86400.0
MAX_BACKOFF_S = DAY_S
JITTER = 0.1  # up to 10% later, so feeds that share an interval spread out


@dataclass(frozen=True, slots=True)
class Bounds:
    """A feed's interval bounds and its configured base interval, in seconds."""

    base_s: float = 900.0
    min_s: float = 120.0
    max_s: float = DAY_S

    def clamp(self, seconds: float) -> float:
        """`seconds` within [min_s, max_s]."""
        return min(max(seconds, self.min_s), max(self.max_s, self.min_s))


def items_per_day(dates: Sequence[datetime | None], now: datetime) -> float | None:
    """Entries per day, from the dates of the entries a feed lists now; None: no dates.

    The rate is the number of dated entries over the time from the oldest of
    them to now, so a feed that stopped publishing is seen to slow down.
    """
    known = [min(d, now) for d in dates if d is not None]
    if not known:
        return None
    span_s = max((now - min(known)).total_seconds(), 3600.0)
    return len(known) * DAY_S / span_s


def interval_s(
    bounds: Bounds,
    rate_per_day: float | None,
    *,
    ttl_s: float | None = None,
    fresh_for_s: float | None = None,
) -> float:
    """The interval until the next poll of a feed that answered.

    About the expected gap between entries (from `rate_per_day`; the base
    interval when unknown), never sooner than the feed's RSS <ttl> or the
    HTTP freshness the server gave, and always within the bounds.
    """
    wanted = DAY_S / rate_per_day if rate_per_day else bounds.base_s
    wanted = max(wanted, ttl_s or 0.0, fresh_for_s or 0.0)
    return bounds.clamp(wanted)


def backoff_s(bounds: Bounds, interval: float, failures: int) -> float:
    """The wait after `failures` consecutive failures: doubling, capped at 24 h."""
    base = max(interval, bounds.min_s)
    doubled: float = base * 2.0 ** min(max(failures, 1) - 1, 20)
    return min(doubled, max(MAX_BACKOFF_S, base))


def pause_s(bounds: Bounds, retry_after: float) -> float:
    """The wait a server asked for (Retry-After), at least min_s, at most 24 h."""
    return min(max(retry_after, bounds.min_s), MAX_BACKOFF_S)


def next_at(
    at: datetime, seconds: float, cap_s: float | None = None, rng: random.Random | None = None
) -> datetime:
    """`at` plus `seconds`, plus up to 10% jitter that never goes past `cap_s`."""
    jittered = seconds + (rng or random).uniform(0, seconds * JITTER)
    if cap_s is not None:
        jittered = min(jittered, max(cap_s, seconds))
    return at + timedelta(seconds=jittered)
