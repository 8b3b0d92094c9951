"""Opening a store: the one way in. A `postgresql://` URL is PostgreSQL, else a SQLite file.

Each backend is imported only when it is opened: a SQLite user never loads
psycopg (an optional extra).
"""

from __future__ import annotations

from pathlib import Path

from store.interface import StoreAPI
from store.url import is_postgres


def open_store(target: str | Path, *, migrate: bool = True) -> StoreAPI:
    """Open and migrate the store a `store:` setting names: a `postgresql://` URL or a path.

    `migrate=False`: another connection to a store already migrated (the console's
    threads), which neither waits for nor takes the migration lock.
    """
    name = str(target)
    if is_postgres(name):
        from store.postgres import open_postgres

        return open_postgres(name, migrate=migrate)
    from store.sqlite import open_sqlite

    return open_sqlite(name, migrate=migrate)
