"""Errors of the store: the lowest layer, imports nothing."""

from __future__ import annotations

import sqlite3
import sys


class StoreError(Exception):
    """Base of every error the store raises."""


def is_database_error(error: BaseException) -> bool:
    """Whether an exception came from the database (a failed read or write: disk full,
    locked, read-only, connection lost), whichever backend raised it."""
    if isinstance(error, StoreError | sqlite3.Error):
        return True
    psycopg = sys.modules.get("psycopg")  # only loaded with a PostgreSQL store
    return psycopg is not None and isinstance(error, psycopg.Error)


class StoreOpenError(StoreError):
    """The database file cannot be opened or migrated."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: cannot open the store: {reason}")
        self.path = path
        self.reason = reason


class SchemaError(StoreError):
    """A store opened read-only (no migrating) has another schema than this code expects."""

    def __init__(self, path: str, found: str, expected: str, advice: str) -> None:
        super().__init__(
            f"{path}: the store's schema is {found}, this wirewatch expects {expected}: {advice}"
        )
        self.path = path
        self.found = found
        self.expected = expected


class BackupError(StoreError):
    """The backup could not be written."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: cannot write the backup: {reason}")
        self.path = path
        self.reason = reason
