"""Stores made by the migrations of before (two hand-kept lists) upgrade to the one list.

tests/data/store/*-005.sql are stores as wirewatch wrote them up to 005_leases,
frozen with a row in every table. Opened with today's code they must take
only the new migrations, keep every row as it was (PostgreSQL's text times
become `timestamptz` of the same instant), and end with the schema a fresh
store gets.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row

from store import HitFilter, open_store
from store.codec import ts
from store.migrations import MIGRATIONS
from tests.conftest import DATA
from tests.store.test_contract import NOW, article, hit
from tests.support.pg import fresh_schema

TABLES = {
    "feeds": "url",
    "articles": "id",
    "stories": "id",
    "hits": "id",
    "deliveries": "id",
    "destinations": "channel",
}
OLD = ["001_initial", "002_alerts", "003_polling", "004_housekeeping", "005_leases"]
# Every time column: timestamptz in PostgreSQL since 006 (last_modified is an HTTP header).
TIMES = {
    "feeds.last_polled_at",
    "feeds.last_success_at",
    "feeds.next_poll_at",
    "feeds.added_at",
    "feeds.last_new_at",
    "feeds.last_error_at",
    "feeds.error_since",
    "feeds.health_at",
    "feeds.leased_until",
    "articles.published_at",
    "articles.fetched_at",
    "hits.created_at",
    "deliveries.next_attempt_at",
    "deliveries.claimed_until",
    "deliveries.created_at",
    "deliveries.sent_at",
    "stories.created_at",
    "stories.seen_at",
    "destinations.changed_at",
    "_migrations.applied_at",
    # the console's tables (008_console), {time} from the start
    "verdicts.decided_at",
    "mutes.until",
    "mutes.created_at",
    # 009_story_index: written {time}, timestamptz from the start
    "story_parts.first_at",
    "story_parts.last_at",
}
NEW = [m.name for m in MIGRATIONS if m.name not in OLD]
# Columns the migrations after 005 add to old tables, and what old rows read in them.
ADDED: dict[str, dict[str, Any]] = {"feeds": {"skipped_items": 0, "last_skip": None}}

Rows = dict[str, list[dict[str, Any]]]


def upgraded(after: Rows, before: Rows) -> Rows:
    """`after` as the tables were before: each row with the columns it had then.

    Asserts that every column added since holds its default in every old row."""
    old: Rows = {}
    for table, rows in after.items():
        for row in rows:
            assert {c: row[c] for c in ADDED.get(table, {})} == ADDED.get(table, {}), row
        columns = before[table][0].keys()
        old[table] = [{c: row[c] for c in columns} for row in rows]
    return old


def sql_script(name: str) -> str:
    return (DATA / "store" / name).read_text(encoding="utf-8")


# -- SQLite -----------------------------------------------------------------------


def sqlite_rows(path: Path) -> Rows:
    with sqlite3.connect(path) as conn:
        conn.row_factory = sqlite3.Row
        return {
            t: [dict(r) for r in conn.execute(f"SELECT * FROM {t} ORDER BY {pk}")]
            for t, pk in TABLES.items()
        }


def sqlite_schema(path: Path) -> dict[str, Any]:
    """Columns, indexes and foreign keys of every table: what the DDL text does not show."""
    out: dict[str, Any] = {}
    with sqlite3.connect(path) as conn:
        for t in [*TABLES, "_migrations"]:
            cols = [r[1:] for r in conn.execute(f"PRAGMA table_info({t})")]
            indexes = {
                r[1]: (r[2], [c[2] for c in conn.execute(f"PRAGMA index_info('{r[1]}')")])
                for r in conn.execute(f"PRAGMA index_list({t})")
            }
            fks = [r[2:5] for r in conn.execute(f"PRAGMA foreign_key_list({t})")]
            out[t] = (cols, indexes, fks)
    return out


@pytest.fixture
def old_sqlite(tmp_path: Path) -> Path:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(sql_script("sqlite-005.sql"))
    return path


def test_a_sqlite_store_of_before_upgrades_with_its_data_unchanged(
    old_sqlite: Path, tmp_path: Path
) -> None:
    before = sqlite_rows(old_sqlite)
    assert all(before.values()), "the frozen store has a row in every table"
    store = open_store(old_sqlite)
    store.close()
    assert upgraded(sqlite_rows(old_sqlite), before) == before
    with sqlite3.connect(old_sqlite) as conn:
        done = conn.execute("SELECT name, applied_at FROM _migrations ORDER BY name").fetchall()
    assert [n for n, _ in done] == OLD + NEW
    assert [a for n, a in done if n in OLD] == ["2026-08-01 00:00:00"] * len(OLD)

    fresh = tmp_path / "fresh.db"
    open_store(fresh).close()
    assert sqlite_schema(old_sqlite) == sqlite_schema(fresh)


def test_an_upgraded_sqlite_store_reads_and_writes(old_sqlite: Path) -> None:
    upgraded_store_reads_and_writes(str(old_sqlite))


def upgraded_store_reads_and_writes(target: str) -> None:
    store = open_store(target)
    try:
        assert len(store.feeds()) == 4
        assert [h.watch_id for h in store.hits()][-1] == "russia-north-korea"
        assert {j.status for j in store.outbox()} == {"pending", "sent", "dead"}
        assert [d.channel for d in store.destinations()] == ["mail"]
        assert len(store.story_candidates(NOW)) == 2
        # The old hits are searchable (their words indexed by 008 or 010), and new ones are.
        assert [h["id"] for h in store.hit_page(HitFilter(q="title 2"))] == [2]
        # New rows continue after the old ids.
        [delivery] = store.record_article(article(9), [(hit("a9"), ["hook"])], NOW)
        assert delivery == 7
        assert [h["article_id"] for h in store.hit_page(HitFilter(q="title 9"))] == ["a9"]
    finally:
        store.close()


# -- PostgreSQL -------------------------------------------------------------------


def pg_rows(url: str) -> Rows:
    """Every row, times as the ISO text the store writes (timestamptz read back as text)."""

    def text(v: Any) -> Any:
        return ts(v) if isinstance(v, datetime) else v

    with psycopg.connect(url, row_factory=dict_row) as conn:
        return {
            t: [
                {c: text(v) for c, v in r.items()}
                for r in conn.execute(f"SELECT * FROM {t} ORDER BY {pk}").fetchall()
            ]
            for t, pk in TABLES.items()
        }


def pg_schema(url: str) -> dict[str, Any]:
    """Columns with types and defaults, indexes, constraints of the URL's schema."""
    with psycopg.connect(url) as conn:
        (schema,) = conn.execute("SELECT current_schema()").fetchone() or ("",)
        columns = conn.execute(
            """SELECT table_name, column_name, data_type, is_nullable, column_default
               FROM information_schema.columns WHERE table_schema = %s
               ORDER BY table_name, ordinal_position""",
            [schema],
        ).fetchall()
        indexes = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = %s ORDER BY 1",
            [schema],
        ).fetchall()
        constraints = conn.execute(
            """SELECT c.conrelid::regclass::text, c.contype, pg_get_constraintdef(c.oid)
               FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
               WHERE n.nspname = %s ORDER BY 1, 2, 3""",
            [schema],
        ).fetchall()
    return {
        "columns": columns,
        "indexes": [(n, d.replace(f"{schema}.", "")) for n, d in indexes],
        "constraints": constraints,
    }


@pytest.fixture
def old_postgres() -> Iterator[str]:
    with fresh_schema() as url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql_script("postgresql-005.sql").encode())
        yield url


def test_a_postgresql_store_of_before_upgrades_with_its_data_unchanged(old_postgres: str) -> None:
    before = pg_rows(old_postgres)
    assert all(before.values()), "the frozen store has a row in every table"
    open_store(old_postgres).close()
    assert upgraded(pg_rows(old_postgres), before) == before
    with psycopg.connect(old_postgres) as conn:
        done = [r[0] for r in conn.execute("SELECT name FROM _migrations ORDER BY name")]
        times = {
            f"{r[0]}.{r[1]}"
            for r in conn.execute(
                """SELECT table_name, column_name FROM information_schema.columns
                   WHERE table_schema = current_schema()
                     AND data_type = 'timestamp with time zone'"""
            )
        }
    assert done == OLD + NEW
    assert times == TIMES

    with fresh_schema() as fresh:
        open_store(fresh).close()
        assert pg_schema(old_postgres) == pg_schema(fresh)


def test_an_upgraded_postgresql_store_reads_and_writes(old_postgres: str) -> None:
    upgraded_store_reads_and_writes(old_postgres)
