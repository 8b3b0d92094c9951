"""Pair statistics from recorded hits: stories per relation class and period.

Run on every backend (tests/store/conftest.py): PostgreSQL returns its
timestamptz columns as datetimes, SQLite as text; the counts must agree.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from rules.model import Article, Cue, Evidence, Hit, Relation
from store import StoreAPI, open_store
from store.relations import period_of
from tests.support.cli import wirewatch

DAY1 = datetime(2026, 11, 24, 9, tzinfo=UTC)
DAY2 = datetime(2026, 11, 26, 9, tzinfo=UTC)


def hit(article: str, cls: str, pair: tuple[str, str] = ("RUS", "PRK")) -> Hit:
    cue = Cue(cls, "signed", 0, 6)
    relation = Relation(pair=pair, cls=cls, cues=(cue,))
    evidence = Evidence("signed", 0, 6, tuple(sorted(pair)), relation=relation)
    return Hit(f"w-{cls}", article, (evidence,))


def record(
    store: StoreAPI, n: int, when: datetime, hits: list[Hit], story: int | None
) -> int | None:
    article = Article(f"a{n}", "https://feed.example/rss", f"https://x.example/{n}", "t", "signed")
    article = Article(
        **{**{f: getattr(article, f) for f in article.__slots__}, "published_at": when}
    )
    done = store.record_planned(
        article, [(h, []) for h in hits], when, fingerprint=100 + (story or n), story_id=story
    )
    return done.story_id


def fill(target: str) -> None:
    store = open_store(target)
    first = record(store, 1, DAY1, [hit("a1", "material_cooperation")], None)
    # The same story told again the same day: counted once.
    record(store, 2, DAY1, [hit("a2", "material_cooperation")], first)
    record(store, 3, DAY1, [hit("a3", "verbal_conflict")], None)
    record(store, 4, DAY2, [hit("a4", "verbal_cooperation")], None)
    record(store, 5, DAY2, [hit("a5", "verbal_cooperation", ("RUS", "UKR"))], None)
    store.close()


def test_stories_are_counted_per_class_and_day(store_target: str) -> None:
    fill(store_target)
    store = open_store(store_target)
    try:
        rows = store.pair_counts(("PRK", "RUS"), "day")
        assert [(r.period, r.stories) for r in rows] == [("2026-11-24", 2), ("2026-11-26", 1)]
        assert rows[0].counts["material_cooperation"] == 1
        assert rows[0].counts["verbal_conflict"] == 1
        assert rows[1].counts["verbal_cooperation"] == 1
        [week] = store.pair_counts(("RUS", "PRK"), "week")
        assert (week.period, week.stories) == ("2026-11-23", 3)
        # `since` compares times as times on both backends.
        later = store.pair_counts(("RUS", "PRK"), "day", since=DAY2)
        assert [(r.period, r.stories) for r in later] == [("2026-11-26", 1)]
        assert store.pair_counts(("RUS", "CHN")) == []
    finally:
        store.close()


def test_periods_start_on_their_first_day() -> None:
    assert period_of(DAY2, "day") == "2026-11-26"
    assert period_of(DAY2, "week") == "2026-11-23"
    assert period_of(DAY2, "month") == "2026-11-01"


@pytest.mark.slow  # runs wirewatch in a process
def test_hits_pair_prints_json_lines_per_day(store_target: str) -> None:
    fill(store_target)
    result = wirewatch("hits", "--db", store_target, "--pair", "RUS,PRK", "--json")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["day"], r["stories"], r["cooperation"], r["conflict"]) for r in rows] == [
        ("2026-11-24", 2, 1, 1),
        ("2026-11-26", 1, 1, 0),
    ]
    table = wirewatch("hits", "--db", store_target, "--pair", "RUS,PRK", "--by", "month")
    assert table.stdout.splitlines()[1].startswith("2026-11-01        3")
    bad = wirewatch("hits", "--db", store_target, "--pair", "RUS")
    assert bad.returncode == 2
    assert "two different actor ids, e.g. RUS,PRK" in bad.stderr
