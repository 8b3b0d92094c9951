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


class BackupError(StoreError):
    """The backup could not be written."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: cannot write the backup: {reason}")
        self.path = path
        self.reason = reason
