"""schedule: adaptive intervals, server hints, backoff and jitter stay within bounds."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from daemon.poll.cadence import Bounds, backoff_s, interval_s, items_per_day, next_at, pause_s

NOW = datetime(2026, 6, 1, tzinfo=UTC)
BOUNDS = Bounds(base_s=900, min_s=120, max_s=86400)


def test_rate_counts_entries_up_to_now() -> None:
    hourly = [NOW - timedelta(hours=h) for h in range(1, 11)]
    assert items_per_day(hourly, NOW) == 24.0
    assert items_per_day([None, None], NOW) is None
    stale = [NOW - timedelta(days=30) - timedelta(hours=h) for h in range(10)]
    assert items_per_day(stale, NOW) < 0.4  # a feed that stopped is seen to slow down
    future = [NOW + timedelta(days=3)]
    assert items_per_day(future, NOW) == 24.0  # dated ahead: counted as now, within an hour


def test_interval_follows_the_rate_and_honours_hints_within_bounds() -> None:
    assert interval_s(BOUNDS, 24.0) == 3600
    assert interval_s(BOUNDS, None) == 900  # no dates: the configured interval
    assert interval_s(BOUNDS, 10_000.0) == 120  # never below min
    assert interval_s(BOUNDS, 0.01) == 86400  # never above max
    assert interval_s(BOUNDS, 24.0, ttl_s=7200) == 7200
    assert interval_s(BOUNDS, 24.0, fresh_for_s=5400) == 5400
    assert interval_s(BOUNDS, 24.0, fresh_for_s=10**9) == 86400


def test_backoff_doubles_to_a_cap_of_a_day() -> None:
    waits = [backoff_s(BOUNDS, 600, n) for n in range(1, 12)]
    assert waits[:4] == [600, 1200, 2400, 4800]
    assert max(waits) == 86400 and waits[-1] == 86400
    assert pause_s(BOUNDS, 5) == 120 and pause_s(BOUNDS, 10**7) == 86400


@given(st.floats(min_value=1, max_value=10**6), st.integers(0, 2**32 - 1))
def test_jitter_is_at_most_ten_percent_and_never_past_the_cap(seconds: float, seed: int) -> None:
    rng = random.Random(seed)
    got = (next_at(NOW, seconds, None, rng) - NOW).total_seconds()
    assert seconds <= got <= seconds * 1.1 + 1e-6
    capped = (next_at(NOW, seconds, 86400, rng) - NOW).total_seconds()
    assert capped <= max(86400, seconds) + 1e-6
