"""What the shared SQL of the store needs from a database connection.

`sqlite_utils.Database` has this shape already; `store.pgdb.PgDatabase` gives
PostgreSQL the same one. The mixins (store/feeds.py, store/outbox.py,
store/housekeeping.py) are written against it, in the SQL both engines accept:
`?` and `:name` parameters, `INSERT ... ON CONFLICT`, `RETURNING id`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
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
