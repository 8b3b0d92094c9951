"""`wirewatch migrate --to`: a SQLite store copied into PostgreSQL, idempotently."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from store import Planned, PollOutcome, StoreAPI, StoryJoin, open_store
from tests.store.test_contract import NOW, article, hit
from tests.support.cli import wirewatch
from tests.support.pg import fresh_schema

pytestmark = pytest.mark.slow  # every test here starts wirewatch in a process


@pytest.fixture
def target() -> Iterator[str]:
    with fresh_schema() as url:
        yield url


def sqlite_store(path: Path) -> StoreAPI:
    """A store with something in every table: feeds, articles, a story and its index, hits,
    the outbox."""
    store = open_store(path)
    store.sync_feeds([("http://127.0.0.1/a.xml", 60), ("http://127.0.0.1/b.xml", 300)], NOW)
    store.record_poll(
        "http://127.0.0.1/a.xml",
        PollOutcome(at=NOW, ok=True, next_poll_at=NOW + timedelta(minutes=1), etag='"e1"'),
    )
    first = store.record_planned(
        article(1),
        [(hit("a1"), [Planned("hook")])],
        NOW,
        fingerprint=(1 << 64) - 3,
        join=StoryJoin(["a:PRK", "a:RUS", "p:pyongyang"], NOW, "new"),
    )
    parent = first.delivery_ids[0]
    store.record_planned(
        article(2),
        [(hit("a2"), [Planned("hook", "update", parent)])],
        NOW,
        fingerprint=(1 << 64) - 3,
        story_id=first.story_id,
        join=StoryJoin(["a:RUS", "p:pyongyang"], NOW, "event", 7.5, [("p:pyongyang", 7.5)]),
    )
    store.record_article(article(3), [], NOW)
    [job, _] = store.claim_due(NOW)
    store.mark_failed(job.id, "HTTP 410", None)
    store.disable_destination("hook", "410 Gone", NOW)
    store.set_verdict(first.hit_ids["russia-north-korea"], "relevant", NOW)
    store.add_mute("actor", "PRK", NOW + timedelta(days=1), NOW, "summit")
    return store


def test_migrate_copies_every_table_once(tmp_path: Path, target: str) -> None:
    source = sqlite_store(tmp_path / "w.db")
    want = (
        source.feeds(),
        source.hits(),
        source.outbox(),
        source.destinations(),
        source.precision(),
        source.mutes(NOW),
    )
    story = source.story_articles(1)
    near = source.story_neighbours(["p:pyongyang"], NOW, timedelta(days=1))
    source.close()

    run = wirewatch("copy-store", "--db", str(tmp_path / "w.db"), "--to", target)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    for line in (
        "feeds: 2 rows, 2 added",
        "articles: 3 rows, 3 added",
        "stories: 1 rows, 1 added",
        "story_parts: 3 rows, 3 added",
        "story_days: 1 rows, 1 added",
        "story_part_days: 3 rows, 3 added",
        "story_joins: 2 rows, 2 added",
        "hits: 2 rows, 2 added",
        "deliveries: 2 rows, 2 added",
        "destinations: 1 rows, 1 added",
        "verdicts: 1 rows, 1 added",
        "mutes: 1 rows, 1 added",
    ):
        assert line in lines
    copy = open_store(target)
    got = (
        copy.feeds(),
        copy.hits(),
        copy.outbox(),
        copy.destinations(),
        copy.precision(),
        copy.mutes(NOW),
    )
    assert got == want
    assert copy.story_candidates(NOW - timedelta(days=1)) == [(1, (1 << 64) - 3)]
    assert copy.story_articles(1) == story and [a.method for a in story] == ["new", "event"]
    assert copy.story_neighbours(["p:pyongyang"], NOW, timedelta(days=1)) == near
    assert near.shared == {1: ["p:pyongyang"]}
    # New rows continue after the copied ids.
    assert copy.record_article(article(4), [(hit("a4"), ["hook"])], NOW) == [3]
    copy.close()

    again = wirewatch("copy-store", "--db", str(tmp_path / "w.db"), "--to", target)
    assert again.returncode == 0, again.stderr
    assert "hits: 2 rows, 0 added" in again.stdout.splitlines()
    assert again.stdout.splitlines()[-1] == "done: 0 rows added, 22 already there"


def test_migrate_refuses_what_it_cannot_copy(tmp_path: Path) -> None:
    bad = wirewatch("copy-store", "--db", str(tmp_path / "w.db"), "--to", str(tmp_path / "x.db"))
    assert bad.returncode == 1 and "not a postgresql:// URL" in bad.stderr
    missing = wirewatch(
        "copy-store", "--db", str(tmp_path / "none.db"), "--to", "postgresql://127.0.0.1:1/x"
    )
    assert missing.returncode == 1 and "none.db: no such SQLite store" in missing.stderr
    open_store(tmp_path / "w.db").close()
    down = wirewatch(
        "copy-store", "--db", str(tmp_path / "w.db"), "--to", "postgresql://u:secret@127.0.0.1:1/x"
    )
    assert down.returncode == 1 and "cannot open the store" in down.stderr
    assert "secret" not in down.stderr and "Traceback" not in down.stderr
