"""A psycopg 3 connection with the shape of `store.sql.Database`.

The shared SQL is written with SQLite's `?` and `:name` parameters; they are
rewritten once per statement text to psycopg's `%s` and `%(name)s` (a literal
`%` is doubled). The connection runs in autocommit; `atomic()` is a
transaction, nested ones are savepoints, as in sqlite-utils. A connection
the server dropped (a restart, a failover) is opened again on the next
statement outside a transaction; the statement that found it broken fails.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import AbstractContextManager
from functools import lru_cache
from typing import Any

import psycopg
from psycopg.rows import dict_row

from store.sql import Params

_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


@lru_cache(maxsize=512)
def translate(sql: str, named: bool) -> str:
    """SQLite parameter marks as psycopg's."""
    sql = sql.replace("%", "%%")
    return _NAMED.sub(r"%(\1)s", sql) if named else sql.replace("?", "%s")


def _connect(url: str, read_only: bool) -> psycopg.Connection[Any]:
    conn = psycopg.connect(url, autocommit=True, connect_timeout=10)
    if read_only:
        # A session setting, not a write: allowed on a standby, and it makes a primary
        # refuse this connection's writes too.
        conn.execute("SET default_transaction_read_only = on")
    return conn


class PgDatabase:
    """One PostgreSQL connection, used by one daemon's event loop."""

    def __init__(
        self, conn: psycopg.Connection[Any], url: str = "", *, read_only: bool = False
    ) -> None:
        self.conn = conn
        self.url = url
        self.read_only = read_only

    @classmethod
    def connect(cls, url: str, *, read_only: bool = False) -> PgDatabase:
        """Connect (autocommit) to the database at `url`; `read_only`: every transaction is."""
        return cls(_connect(url, read_only), url, read_only=read_only)

    def _live(self) -> psycopg.Connection[Any]:
        if self.conn.closed and self.url:
            self.conn = _connect(self.url, self.read_only)
        return self.conn

    def execute(self, sql: str, params: Params = ()) -> psycopg.Cursor[Any]:
        """Run one statement; its cursor yields tuples."""
        return self._live().execute(translate(sql, isinstance(params, dict)), params)

    def query(
        self, sql: str, params: Params = (), *, prepare: bool | None = None
    ) -> Iterator[dict[str, Any]]:
        """Run a query; its rows as dicts (`prepare`: psycopg's, None for its default)."""
        cur = self._live().cursor(row_factory=dict_row)
        cur.execute(translate(sql, isinstance(params, dict)), params, prepare=prepare)
        return iter(cur.fetchall())  # read now, as sqlite-utils does inside a transaction

    def query_once(self, sql: str, params: Params = ()) -> Iterator[dict[str, Any]]:
        """A query never prepared: planned for its values every time it runs.

        psycopg prepares a statement after 5 runs, and PostgreSQL may then plan it once
        for any values (a generic plan), which for some values reads every row.
        """
        return self.query(sql, params, prepare=False)

    def atomic(self) -> AbstractContextManager[Any]:
        """A transaction (a savepoint inside another)."""
        return self._live().transaction()

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()
