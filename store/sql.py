"""What the shared SQL of the store needs: a connection's shape and the dialect's words.

`sqlite_utils.Database` has the `Database` shape already; `store.pgdb.PgDatabase`
gives PostgreSQL the same one. The table units (store/feeds.py, articles.py,
stories.py, deliveries.py, destinations.py, housekeeping.py, relations.py) are written
against it, in the SQL both engines accept: `?` and `:name` parameters,
`INSERT ... ON CONFLICT`, `RETURNING id`. What differs is a `Dialect`.

Imports nothing of the store but its errors' layer; nothing of `daemon`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

Params = Sequence[Any] | dict[str, Any]


class Cursor(Protocol):
    """The part of a DB-API cursor the store reads."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class Database(Protocol):
    """A connection: statements, dict-row queries, and transactions that nest."""

    def execute(self, sql: str, params: Params = ...) -> Any: ...

    def query(self, sql: str, params: Params = ...) -> Iterator[dict[str, Any]]: ...

    def atomic(self) -> AbstractContextManager[Any]: ...

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Dialect:
    """The few words in which the two engines' SQL differs."""

    name: str  # sqlite | postgresql: the key of per-dialect migration steps
    # Row locks for leases: PostgreSQL skips rows another daemon is taking;
    # SQLite has one writer at a time and needs none.
    skip_locked: str = ""
    claim_lock: str = ""
    # Column types for migrations: `{serial}`, `{bigint}`, `{real}`, `{time}`.
    types: tuple[tuple[str, str], ...] = ()
    # The UTC day (YYYY-MM-DD) of a time column, `{}` standing for the column.
    day: str = "substr({}, 1, 10)"
    # Hits whose article's title or text has every word of `?` (store/console.py:search_terms).
    search: str = ""
    # A full-text table whose rowid is the hit id, in the FROM clause of a searched page
    # (`search` then refers to it): the page is read from it newest first and stops at its
    # end (an IN over the matches read every one of them).
    search_table: str = ""
    # Without a search_table, a page reads the `search_window` hits below `before` first,
    # testing each one's words (`search_recent`, which no index can serve), and only when
    # they do not fill it the older ones through the GIN index (`search`: the ids of every
    # match, few for a word rare enough to get there). Neither leaves the planner a choice
    # that depends on the words, which the plan of a prepared statement, made for any
    # words after psycopg's 5 runs, got wrong (the index's list of every hit for a common
    # word: 100 ms). Ordered by id alone, the planner walked every hit for a word it
    # expected in 1 of 200: 19 s for a word in no article, 1,000,000 hits.
    search_recent: str = ""
    search_window: int = 0
    # How many hits below `?` have every word of `?`, counted up to `?` (through the
    # search index; store/console.py: `hit_floor`).
    search_count: str = ""
    # Hits with every word of `?` among the ids `{ids}` (a subquery: a watch's, a day
    # range's or a story's hits, at most 20,000), read in one set operation, never a
    # search per hit (store/console.py: `_search_among`). SQLite: in the FROM clause
    # after `search_table`, whose list it walks (the `+` keeps FTS5 from being asked
    # for one rowid at a time, which reads the word's whole list each time).
    search_among: str = ""


SQLITE = Dialect(
    "sqlite",
    types=(
        ("serial", "INTEGER PRIMARY KEY"),
        ("bigint", "INTEGER"),
        ("real", "REAL"),
        ("time", "TEXT"),
    ),
    search="hit_fts MATCH ?",  # FTS5 (008_console)
    search_table="hit_fts",
    search_count="SELECT count(*) FROM (SELECT 1 FROM hit_fts WHERE hit_fts MATCH ?"
    " AND rowid < ? LIMIT ?)",
    search_among="hit_fts MATCH ? AND +hit_fts.rowid IN ({ids})",
)
POSTGRESQL = Dialect(
    "postgresql",
    skip_locked=" FOR UPDATE SKIP LOCKED",
    claim_lock=" FOR UPDATE OF d SKIP LOCKED",
    types=(
        ("serial", "BIGSERIAL PRIMARY KEY"),
        ("bigint", "BIGINT"),
        ("real", "DOUBLE PRECISION"),
        ("time", "TIMESTAMPTZ"),
    ),
    day="to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
    # hit_search (010_hit_search): each hit's words, under its id, GIN-indexed. `= ANY`
    # walks hits_pkey backwards in the ids' order and stops at the LIMIT.
    search="h.id = ANY (ARRAY(SELECT hit_id FROM hit_search"
    " WHERE doc @@ plainto_tsquery('simple', ?)))",
    # A value, not a column: no index can take it.
    search_recent="(SELECT doc FROM hit_search WHERE hit_id = h.id)"
    " @@ plainto_tsquery('simple', ?)",
    search_window=5000,
    search_count="SELECT count(*) FROM (SELECT 1 FROM hit_search"
    " WHERE doc @@ plainto_tsquery('simple', ?) AND hit_id < ? LIMIT ?) m",
    # The ids' array walked down hits_pkey, each hit's words tested as a value.
    search_among="(SELECT doc FROM hit_search WHERE hit_id = h.id)"
    " @@ plainto_tsquery('simple', ?) AND h.id = ANY (ARRAY({ids}))",
)


class Tables:
    """What every table unit finds on the store it is mixed into (store/base.py)."""

    db: Database
    dialect: Dialect
    owner: str  # this process, in the leases it takes


def marks(n: int) -> str:
    """`?, ?, ...`: n parameter marks for an IN list."""
    return ",".join("?" * n)
