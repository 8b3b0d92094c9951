"""Persistence: the only package that writes SQL.

May import the value types of `rules.model`; must not import `daemon` or any
rule logic. Callers open a store with `open_store` (a SQLite file or a
`postgresql://` URL) and see only `StoreAPI`; docs/store.md shows the layers.
"""

from store.backend import open_store, read_only_reason
from store.errors import SchemaError, StoreError, is_database_error
from store.interface import StoreAPI
from store.model import (
    MUTE_KINDS,
    VERDICTS,
    DeliveryJob,
    Destination,
    FeedState,
    HitFilter,
    Lease,
    Mute,
    Overview,
    Planned,
    PollOutcome,
    Pruned,
    Recorded,
    StoredHit,
    StoreStats,
    StoryArticle,
    StoryJoin,
    StoryNeighbours,
    is_muted,
)
from store.url import is_postgres, redact

__all__ = [
    "MUTE_KINDS",
    "VERDICTS",
    "DeliveryJob",
    "Destination",
    "FeedState",
    "HitFilter",
    "Lease",
    "Mute",
    "Overview",
    "Planned",
    "PollOutcome",
    "Pruned",
    "Recorded",
    "SchemaError",
    "StoreAPI",
    "StoreError",
    "StoreStats",
    "StoredHit",
    "StoryArticle",
    "StoryJoin",
    "StoryNeighbours",
    "is_database_error",
    "is_muted",
    "is_postgres",
    "open_store",
    "read_only_reason",
    "redact",
]
