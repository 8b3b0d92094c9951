"""The shared store: every table unit over one connection, whatever the engine.

`SqlStore` is what both backends are: store/sqlite.py and store/postgres.py
each subclass it, beside each other, adding only what their engine does
differently (opening, locking, backups). Callers see it as `StoreAPI`.
"""

from __future__ import annotations

import os
import socket

from store.articles import Articles
from store.console import Console
from store.deliveries import Deliveries
from store.destinations import Destinations
from store.feeds import Feeds
from store.housekeeping import Housekeeping
from store.relations import Relations
from store.sql import Database, Dialect
from store.stories import Stories
from store.storyindex import StoryIndex


class SqlStore(
    Feeds,
    Articles,
    Stories,
    StoryIndex,
    Deliveries,
    Destinations,
    Housekeeping,
    Console,
    Relations,
):
    """Feeds, articles, stories and their index, hits, relations, the outbox, destinations,
    the console's tables: one database."""

    def __init__(self, db: Database, path: str, dialect: Dialect) -> None:
        self.db = db
        self.path = path
        self.dialect = dialect
        # Who this process is in the leases it takes (feeds, deliveries).
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"

    def close(self) -> None:
        """Close the database."""
        self.db.close()
