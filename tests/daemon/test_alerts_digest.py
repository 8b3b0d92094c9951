"""Digests: hourly or daily at HH:MM in a named time zone, right across both 2026 DST changes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from daemon.alerts.channels.webhook import WebhookChannel, WebhookSettings
from daemon.alerts.digest import parse_schedule
from daemon.alerts.stories import Stories
from daemon.alerts.worker import deliver_due
from store import open_store
from tests.conftest import SEED_ARTICLE
from tests.support.alerts import article, hit
from tests.support.clock import Clock
from tests.support.servers import RecordingServer, Reply

pytestmark = pytest.mark.anyio


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("after", "slot"),
    [
        # spring forward on Sunday 2026-03-29: 08:00 CET is 07:00 UTC, 08:00 CEST is 06:00 UTC
        (utc(2026, 3, 27, 12), utc(2026, 3, 28, 7)),
        (utc(2026, 3, 28, 7), utc(2026, 3, 29, 6)),
        (utc(2026, 3, 29, 6), utc(2026, 3, 30, 6)),
        # fall back on Sunday 2026-10-25: back from 06:00 UTC to 07:00 UTC
        (utc(2026, 10, 24, 5), utc(2026, 10, 24, 6)),
        (utc(2026, 10, 24, 6), utc(2026, 10, 25, 7)),
        (utc(2026, 10, 25, 7), utc(2026, 10, 26, 7)),
    ],
)
def test_daily_at_0800_berlin_across_both_2026_transitions(after: datetime, slot: datetime) -> None:
    schedule = parse_schedule("daily at 08:00", "Europe/Berlin")
    assert schedule.next_after(after) == slot


def test_times_in_the_gap_and_the_repeated_hour_and_hourly() -> None:
    gap = parse_schedule("daily at 02:30", "Europe/Berlin")
    assert gap.next_after(utc(2026, 3, 28, 12)) == utc(2026, 3, 29, 1, 30)  # 03:30 CEST
    twice = parse_schedule("daily at 02:30", "Europe/Berlin")
    assert twice.next_after(utc(2026, 10, 24, 12)) == utc(2026, 10, 25, 0, 30)  # first 02:30
    hourly = parse_schedule("hourly", "Asia/Kolkata")  # UTC+05:30: on the local hour
    assert hourly.next_after(utc(2026, 3, 1, 12, 10)) == utc(2026, 3, 1, 12, 30)


def test_bad_schedules_say_what_to_write() -> None:
    with pytest.raises(ValueError, match="use 'hourly' or 'daily at HH:MM'"):
        parse_schedule("daily 8am", "UTC")
    with pytest.raises(ValueError, match="unknown time zone 'Europe/Berlim'"):
        parse_schedule("hourly", "Europe/Berlim")


async def test_daily_digest_goes_out_at_0800_local_each_day_across_dst(
    tmp_path: Path, http_server: RecordingServer
) -> None:
    http_server.routes["/hook"] = lambda req: Reply(204)
    settings = WebhookSettings.model_validate(
        {"url": f"{http_server.url}/hook", "digest": "daily at 08:00", "timezone": "Europe/Berlin"}
    )
    ch = WebhookChannel("hook", settings)
    store = open_store(tmp_path / "w.db")
    stories = Stories(store, {"hook": settings}, dict)
    clock = Clock(utc(2026, 3, 27, 9))
    n = 0
    sent_at: list[datetime] = []
    # three medium-severity alerts a day (each its own story) and one high that bypasses
    for _day in range(4):
        for sev in ("medium", "medium", "high", "medium"):
            a = article(n, text=f"Meldung {n}: " + " ".join(f"wort{n}x{k}" for k in range(30)))
            stories.record(a, [(hit(a.id, severity=sev), ["hook"])], clock.at)
            n += 1
            clock.tick(hours=1)
        # step through the day in 15-minute ticks, delivering what is due
        end = clock.at + timedelta(hours=20)
        while clock.at < end:
            before = len(http_server.requests)
            await deliver_due(store, {"hook": ch}, clock)
            sent_at += [clock.at] * (len(http_server.requests) - before)
            clock.tick(minutes=15)
    bodies = [json.loads(r.body) for r in http_server.requests]
    digests = [
        (t, b) for t, b in zip(sent_at, bodies, strict=True) if b["type"] == "wirewatch.digest"
    ]
    assert [t for t, _ in digests] == [
        utc(2026, 3, 28, 7),
        utc(2026, 3, 29, 6),
        utc(2026, 3, 30, 6),
        utc(2026, 3, 31, 6),
    ]
    assert all(len(b["alerts"]) == 3 for _, b in digests)
    assert all(a["watch"]["severity"] == "medium" for _, b in digests for a in b["alerts"])
    highs = [b for b in bodies if b["type"] == "wirewatch.hit"]
    assert len(highs) == 4 and all(b["watch"]["severity"] == "high" for b in highs)
    await ch.aclose()


async def test_later_articles_of_a_story_are_follow_up_lines_in_the_digest(
    tmp_path: Path, http_server: RecordingServer
) -> None:
    http_server.routes["/hook"] = lambda req: Reply(204)
    settings = WebhookSettings.model_validate(
        {"url": f"{http_server.url}/hook", "digest": "hourly", "timezone": "Europe/Berlin"}
    )
    ch = WebhookChannel("hook", settings)
    store = open_store(tmp_path / "w.db")
    stories = Stories(store, {"hook": settings}, dict)
    clock = Clock(utc(2026, 3, 1, 12, 10))
    for i in range(3):  # one story from three outlets
        a = article(i, title=f"Outlet {i}", text=SEED_ARTICLE.read_text(encoding="utf-8"))
        stories.record(a, [(hit(a.id, severity="medium"), ["hook"])], clock.tick(minutes=10))
    assert await deliver_due(store, {"hook": ch}, clock) == 0  # held for 13:00
    clock.at = utc(2026, 3, 1, 13)
    assert await deliver_due(store, {"hook": ch}, clock) == 3
    [digest] = [json.loads(r.body) for r in http_server.requests]
    types = [a["type"] for a in digest["alerts"]]
    assert types == ["wirewatch.hit", "wirewatch.update", "wirewatch.update"]
    first = digest["alerts"][0]["id"]
    assert [a["story"]["first_alert_id"] for a in digest["alerts"][1:]] == [first, first]
    await ch.aclose()
