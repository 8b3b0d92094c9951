"""Opening a store: the one way in. A `postgresql://` URL is PostgreSQL, else a SQLite file.

Each backend is imported only when it is opened: a SQLite user never loads
psycopg (an optional extra).
"""

from __future__ import annotations

from pathlib import Path

from store.interface import StoreAPI
from store.url import is_postgres


def open_store(target: str | Path, *, migrate: bool = True, read_only: bool = False) -> StoreAPI:
    """Open and migrate the store a `store:` setting names: a `postgresql://` URL or a path.

    `migrate=False`: another connection to a store already migrated (the console's
    threads), which neither waits for nor takes the migration lock.
    `read_only=True`: a connection that cannot write (a replica, a read-only file),
    never migrates, and raises SchemaError unless the schema is this code's.
    """
    name = str(target)
    if is_postgres(name):
        from store.postgres import open_postgres

        return open_postgres(name, migrate=migrate, read_only=read_only)
    from store.sqlite import open_sqlite

    return open_sqlite(name, migrate=migrate, read_only=read_only)


def read_only_reason(target: str | Path) -> str | None:
    """Why the store at `target` can only be read (a hot standby, a read-only file), or None.

    None also when it cannot be reached: opening it then says why.
    """
    name = str(target)
    if is_postgres(name):
        from store.postgres import read_only_reason as postgres_reason

        return postgres_reason(name)
    from store.sqlite import read_only_reason as sqlite_reason

    return sqlite_reason(name)
