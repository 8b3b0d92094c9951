"""Persistence: the only package that writes SQL.

May import the value types of `rules.model`; must not import `daemon` or any
rule logic. The interface (`Store`) is kept narrow so that another backend can
be added beside SQLite without touching its callers.
"""

from store.errors import StoreError, is_database_error
from store.interface import StoreAPI, open_store
from store.model import (
    DeliveryJob,
    Destination,
    FeedState,
    Lease,
    Planned,
    PollOutcome,
    StoredHit,
)
from store.sqlite import Store, is_postgres

__all__ = [
    "DeliveryJob",
    "Destination",
    "FeedState",
    "Lease",
    "Planned",
    "PollOutcome",
    "Store",
    "StoreAPI",
    "StoreError",
    "StoredHit",
    "is_database_error",
    "is_postgres",
    "open_store",
]
