"""The SQLite store on a real file: migrations, the one-transaction write, the outbox."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.model import Article, Evidence, Hit, Mention
from store import Store
from store.codec import evidence_from_json, evidence_json
from store.migrations import MIGRATIONS

NOW = datetime(2026, 8, 13, 6, 30, tzinfo=UTC)


def article(n: int = 1) -> Article:
    return Article(
        id=f"a{n}",
        feed_url="http://127.0.0.1/feed.xml",
        url=f"https://x.example/{n}",
        title=f"Title {n}",
        text=f"Title {n}\n\nPutin und Kim.",
        lang="de",
        published_at=NOW - timedelta(hours=1),
    )


def hit(article_id: str = "a1", watch: str = "russia-north-korea") -> Hit:
    ev = Evidence(
        "Putin und Kim.",
        11,
        25,
        ("PRK", "RUS"),
        (Mention("RUS", "Putin", 11, 16), Mention("PRK", "Kim", 21, 24)),
    )
    return Hit(
        watch,
        article_id,
        (ev,),
        severity="high",
        title="RU+KP",
        rule_file="w.yaml",
        rule_version="1",
        condition="all of RUS, PRK in one sentence",
    )


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.open(tmp_path / "var" / "wirewatch.db")


def test_open_migrates_once_and_uses_wal(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    Store.open(path).close()
    again = Store.open(path)
    assert again.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert [r["name"] for r in again.db.table("_migrations").rows] == [n for n, _ in MIGRATIONS]


def test_article_hits_and_deliveries_are_written_together(store: Store) -> None:
    ids = store.record_article(article(), [(hit(), ["console", "hook"])], NOW)
    assert len(ids) == 2
    [stored] = store.hits()
    assert stored.watch_id == "russia-north-korea"
    assert stored.evidence == hit().evidence
    assert stored.article_title == "Title 1"
    # The same article again adds nothing.
    assert store.record_article(article(), [(hit(), ["console"])], NOW) == []
    assert store.counts() == {"feeds": 0, "articles": 1, "hits": 1, "pending": 2}


def test_a_failing_write_leaves_nothing_behind(store: Store) -> None:
    # Two hits of the same watch on one article break a unique key half way through.
    with pytest.raises(sqlite3.IntegrityError):
        store.record_article(article(), [(hit(), ["console"]), (hit(), ["console"])], NOW)
    assert store.counts() == {"feeds": 0, "articles": 0, "hits": 0, "pending": 0}


def test_outbox_claims_leases_and_retries(store: Store) -> None:
    store.record_article(article(), [(hit(), ["hook"])], NOW)
    [job] = store.claim_deliveries(NOW)
    assert job.channel == "hook" and job.idempotency_key.startswith("msg_")
    assert store.claim_deliveries(NOW) == []  # leased
    assert len(store.claim_deliveries(NOW + timedelta(minutes=3))) == 1  # lease expired
    store.mark_failed(job.id, "HTTP 500", NOW + timedelta(seconds=5))
    assert store.claim_deliveries(NOW + timedelta(seconds=1)) == []
    [again] = store.claim_deliveries(NOW + timedelta(seconds=6))
    assert again.idempotency_key == job.idempotency_key and again.attempts == 1
    store.mark_sent(again.id, NOW + timedelta(seconds=6))
    assert [d.status for d in store.deliveries()] == ["sent"]


def test_dead_letters_are_kept(store: Store) -> None:
    store.record_article(article(), [(hit(), ["hook"])], NOW)
    [job] = store.claim_deliveries(NOW)
    store.mark_failed(job.id, "HTTP 400", None)
    [dead] = store.deliveries("dead")
    assert dead.last_error == "HTTP 400"


names = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20)


@settings(max_examples=50)
@given(st.lists(st.tuples(names, st.integers(0, 10_000)), max_size=5), names)
def test_evidence_round_trips(mentions: list[tuple[str, int]], text: str) -> None:
    ev = (
        Evidence(
            text,
            0,
            len(text),
            ("RUS",),
            tuple(Mention("RUS", n, s, s + len(n)) for n, s in mentions),
            ("troops",),
        ),
    )
    assert evidence_from_json(evidence_json(ev)) == ev
