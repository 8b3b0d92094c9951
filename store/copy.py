"""Copying a SQLite store into PostgreSQL (`wirewatch copy-store --to`).

Table by table in the order of their foreign keys, rows as they are (ids
included, so hits keep their deliveries and deliveries their parents; times
as text, which PostgreSQL casts to its `timestamptz`), each row inserted
unless its key is already there: run it again after an interruption and it
copies only what is missing. The id sequences are moved past the copied ids
at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg

from store.errors import StoreError
from store.pgdb import PgDatabase
from store.postgres import PostgresStore, open_postgres
from store.sql import Database
from store.sqlite import open_sqlite

# Foreign keys first: articles before hits, hits before deliveries and verdicts.
TABLES = (
    "feeds",
    "articles",
    "stories",
    "story_parts",
    "story_days",
    "story_part_days",
    "story_joins",
    "hits",
    "deliveries",
    "destinations",
    "verdicts",
    "mutes",
)
SERIAL = ("stories", "hits", "deliveries", "mutes")
CHUNK = 1000


class CopyError(StoreError):
    """A table could not be copied."""

    def __init__(self, table: str, reason: str) -> None:
        super().__init__(f"{table}: cannot copy: {reason}")
        self.table = table


@dataclass(frozen=True, slots=True)
class Copied:
    """One table's copy: rows in the source, rows newly written to the target."""

    table: str
    rows: int
    added: int


def columns(db: Database, table: str) -> list[str]:
    """The table's columns, in order."""
    return [d[0] for d in db.execute(f"SELECT * FROM {table} LIMIT 0").description]


def copy_table(source: Database, target: PgDatabase, table: str) -> Copied:
    """Copy one table's rows that the target lacks; how many there were and were added."""
    names = columns(source, table)
    missing = set(names) - set(columns(target, table))
    if missing:
        raise CopyError(table, f"the target lacks the columns {', '.join(sorted(missing))}")
    cols = ", ".join(names)
    marks = ", ".join(["%s"] * len(names))
    insert = f"INSERT INTO {table} ({cols}) VALUES ({marks}) ON CONFLICT DO NOTHING"
    rows = added = 0
    cursor = source.execute(f"SELECT {cols} FROM {table} ORDER BY rowid")
    conn = target.conn
    while chunk := cursor.fetchmany(CHUNK):
        try:
            with conn.transaction(), conn.cursor() as cur:
                cur.executemany(insert, chunk)
                added += max(cur.rowcount, 0)
        except psycopg.Error as e:
            raise CopyError(table, str(e).strip()) from e
        rows += len(chunk)
    return Copied(table, rows, added)


def copy_store(
    source: str | Path, target: str, progress: Callable[[Copied], None] = lambda c: None
) -> list[Copied]:
    """Copy every table of the SQLite store `source` into the PostgreSQL database `target`.

    Both are opened (and migrated) here; `progress` hears of each table.
    """
    src = open_sqlite(source)
    try:
        dest = open_postgres(target)
        try:
            return _copy(src.db, dest, progress)
        finally:
            dest.close()
    finally:
        src.close()


def _copy(
    source: Database, target: PostgresStore, progress: Callable[[Copied], None]
) -> list[Copied]:
    assert isinstance(target.db, PgDatabase)
    done = []
    for table in TABLES:
        done.append(copy_table(source, target.db, table))
        progress(done[-1])
    for table in SERIAL:
        target.db.execute(
            f"""SELECT setval(pg_get_serial_sequence('{table}', 'id'),
                       GREATEST((SELECT max(id) FROM {table}), 1))"""
        )
    return done
