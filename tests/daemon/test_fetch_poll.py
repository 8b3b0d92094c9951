"""A poll end to end on loopback: outcomes on the feed, schedule, health notices, identity."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from daemon.config import load_config
from daemon.runtime.service import Service
from store import FeedState
from store.feeds import HEALTH_WATCH
from tests.support.clock import Clock
from tests.support.feeds import Item
from tests.support.feeds import rss as feed
from tests.support.servers import RecordingServer, Reply, Request

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def rss(*items: tuple[str, str, datetime]) -> bytes:
    return feed(*(Item(g, g, link=link, published=d) for g, link, d in items), title="W")


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def service(tmp_path: Path, http_server: RecordingServer, clock: Clock) -> Iterator[Service]:
    cfg = tmp_path / "wirewatch.yaml"
    cfg.write_text(
        f"""store: state.db
feeds:
  - url: {http_server.url}/feed
    interval: 10m
    min_interval: 2m
    max_interval: 6h
channels:
  ops: {{type: console}}
health:
  channel: ops
  failing_after: 1h
poll:
  timeout: 5s
  connect_timeout: 2s
  read_timeout: 2s
""",
        encoding="utf-8",
    )
    svc = Service(load_config(cfg), now=clock)
    yield svc
    asyncio.run(svc.aclose())


def poll(service: Service) -> FeedState:
    (report,) = asyncio.run(service.poll_all())
    state = service.store.feed(report.url)
    assert state is not None
    return state


def notices(service: Service) -> list[str]:
    return [h.title for h in service.store.hits(watch_id=HEALTH_WATCH)]


def test_interval_adapts_to_the_entry_rate(
    service: Service, http_server: RecordingServer, clock: Clock
) -> None:
    hourly = [(f"g{i}", f"https://n.example/{i}", T0 - timedelta(hours=i)) for i in range(10)]
    http_server.routes["/feed"] = lambda req: Reply(200, rss(*hourly))
    state = poll(service)
    assert state.status == "ok" and state.items_per_day == pytest.approx(24.0, rel=0.15)
    assert state.poll_interval_s == pytest.approx(3600, rel=0.15)
    assert state.next_poll_at is not None
    assert timedelta(minutes=50) < state.next_poll_at - T0 < timedelta(minutes=75)


def test_ttl_and_max_age_hold_polls_back_within_bounds(
    service: Service, http_server: RecordingServer
) -> None:
    feed = rss(("a", "https://n.example/a", T0)).replace(b"<title>W</title>", b"<ttl>120</ttl>")
    http_server.routes["/feed"] = lambda req: Reply(200, feed, {"cache-control": "max-age=60"})
    assert poll(service).poll_interval_s == 7200  # <ttl> of 120 minutes
    http_server.routes["/feed"] = lambda req: Reply(200, feed, {"cache-control": "max-age=99999"})
    assert poll(service).poll_interval_s == 6 * 3600  # capped by max_interval


def test_a_changed_guid_with_the_same_link_is_the_same_article(
    service: Service, http_server: RecordingServer, clock: Clock
) -> None:
    first = rss(("guid-1", "https://n.example/story?utm_source=rss", T0))
    http_server.routes["/feed"] = lambda req: Reply(200, first)
    poll(service)
    clock.tick(hours=1)
    second = rss(
        ("guid-CHANGED", "https://N.example/story#comments", T0),
        ("guid-2", "https://n.example/other", T0),
    )
    http_server.routes["/feed"] = lambda req: Reply(200, second)
    (report,) = asyncio.run(service.poll_all())
    assert report.new == 1
    assert service.store.counts()["articles"] == 2


def test_410_retires_the_feed_with_a_notice(service: Service, http_server: RecordingServer) -> None:
    http_server.routes["/feed"] = lambda req: Reply(410, b"gone")
    state = poll(service)
    assert (state.status, state.error_class, state.next_poll_at) == ("retired", "http_4xx", None)
    assert notices(service) == [f"Feed retired: {state.url}"]
    assert service.store.due_feeds(T0 + timedelta(days=30)) == []
    assert [d.channel for d in service.store.deliveries()] == ["ops"]


def test_429_with_retry_after_pauses_without_an_error(
    service: Service, http_server: RecordingServer
) -> None:
    http_server.routes["/feed"] = lambda req: Reply(429, headers={"retry-after": "3600"})
    state = poll(service)
    assert (state.status, state.error_count, state.errors_total) == ("paused", 0, 0)
    assert state.next_poll_at is not None and state.next_poll_at - T0 >= timedelta(hours=1)
    assert notices(service) == []


def test_failures_back_off_and_raise_one_notice_then_recovery(
    service: Service, http_server: RecordingServer, clock: Clock
) -> None:
    http_server.routes["/feed"] = lambda req: Reply(500, b"down")
    waits = []
    for _ in range(4):
        state = poll(service)
        assert state.next_poll_at is not None
        waits.append(state.next_poll_at - clock())
        clock.tick(minutes=25)
    assert state.status == "failing" and state.error_count == 4 and state.errors_total == 4
    assert state.error_class == "http_5xx" and state.last_error_at == T0 + timedelta(minutes=75)
    assert all(b > a for a, b in itertools.pairwise(waits))  # doubling, with jitter
    assert notices(service) == [f"Feed failing: {state.url}"]  # after 1 h, once
    http_server.routes["/feed"] = lambda req: Reply(200, rss(("a", "https://n.example/a", T0)))
    state = poll(service)
    assert state.status == "ok" and state.error_count == 0 and state.error_since is None
    assert notices(service)[0] == f"Feed recovered: W ({state.url})"


def test_backoff_is_capped_and_polling_never_stops(
    service: Service, http_server: RecordingServer, clock: Clock
) -> None:
    http_server.routes["/feed"] = lambda req: Reply(503, b"down")  # no Retry-After: a failure
    for _ in range(15):
        state = poll(service)
        assert state.next_poll_at is not None
        assert state.next_poll_at - clock() <= timedelta(hours=24)
        clock.at = state.next_poll_at
    assert state.status == "failing" and state.error_count == 15


def test_a_silent_feed_raises_a_notice(
    service: Service, http_server: RecordingServer, clock: Clock
) -> None:
    hourly = [(f"g{i}", f"https://n.example/{i}", T0 - timedelta(hours=i)) for i in range(10)]
    http_server.routes["/feed"] = lambda req: Reply(200, rss(*hourly), {"etag": '"1"'})
    poll(service)

    def unchanged(req: Request) -> Reply:
        return Reply(304, headers={"etag": '"1"'})

    http_server.routes["/feed"] = unchanged
    clock.tick(hours=3)
    poll(service)
    assert notices(service) == []
    clock.tick(hours=2)  # 5 h without news from an hourly feed: over 4 expected gaps
    poll(service)
    assert notices(service) == [f"Feed silent: W ({http_server.url}/feed)"]


def test_a_permanent_redirect_moves_where_the_feed_is_fetched(
    service: Service, http_server: RecordingServer
) -> None:
    http_server.routes["/feed"] = lambda req: Reply(301, headers={"location": "/new"})
    http_server.routes["/new"] = lambda req: Reply(200, rss(("a", "https://n.example/a", T0)))
    state = poll(service)
    assert state.url == f"{http_server.url}/feed"  # the configured URL stays the user's
    assert state.effective_url == f"{http_server.url}/new"
    poll(service)
    assert [r.path for r in http_server.requests] == ["/feed", "/new", "/new"]


def test_config_feeds_are_synced_and_cli_feeds_kept(tmp_path: Path, clock: Clock) -> None:
    def start(*urls: str) -> Service:
        cfg = tmp_path / "w.yaml"
        feeds = "".join(f"  - url: {u}\n" for u in urls) or "  []\n"
        cfg.write_text(f"store: s.db\nfeeds:\n{feeds}", encoding="utf-8")
        return Service(load_config(cfg), now=clock)

    first = start("https://a.example/rss", "https://b.example/rss")
    first.store.add_feed("https://cli.example/rss", 600, clock())
    asyncio.run(first.aclose())
    second = start("https://b.example/rss")
    try:
        states = {f.url: (f.origin, f.status) for f in second.store.feeds()}
        due = {f.url for f in second.store.due_feeds(clock() + timedelta(days=1))}
    finally:
        asyncio.run(second.aclose())
    assert states == {
        "https://a.example/rss": ("config", "removed"),
        "https://b.example/rss": ("config", "new"),
        "https://cli.example/rss": ("cli", "new"),
    }
    assert due == {"https://b.example/rss", "https://cli.example/rss"}


def test_a_feed_paused_for_too_long_raises_a_notice(
    service: Service, http_server: RecordingServer, clock: Clock
) -> None:
    http_server.routes["/feed"] = lambda req: Reply(503, headers={"retry-after": "1800"})
    for _ in range(3):
        state = poll(service)
        clock.tick(minutes=31)
    assert (state.status, state.error_count) == ("paused", 0)
    assert notices(service) == [f"Feed failing: {state.url}"]
    (notice,) = service.store.hits(watch_id=HEALTH_WATCH)
    assert "asked us to wait (Retry-After) since 2026-06-01T12:00" in notice.condition


def test_a_crashing_poll_is_recorded_and_backs_off(
    service: Service, http_server: RecordingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A bug of ours cannot be provoked through a server: make parsing raise.
    async def boom(*args: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(service.analyzer, "parse", boom)
    http_server.routes["/feed"] = lambda req: Reply(200, rss(("a", "https://n.example/a", T0)))
    state = poll(service)
    assert (state.status, state.error_class) == ("failing", "parse")
    assert state.error == "internal error: RuntimeError: bug"
    assert state.next_poll_at is not None and state.next_poll_at > T0
    assert service.store.due_feeds(T0) == []


def test_an_invalid_url_is_a_classified_failure(tmp_path: Path, clock: Clock) -> None:
    cfg = tmp_path / "w.yaml"
    cfg.write_text("store: s.db\nfeeds:\n  - url: 'http://[::1/feed'\n", encoding="utf-8")
    service = Service(load_config(cfg), now=clock)
    try:
        state = poll(service)
    finally:
        asyncio.run(service.aclose())
    assert (state.status, state.error_class) == ("failing", "connect")
    assert state.error is not None and state.error.startswith("invalid URL")
