"""Errors of the store: the lowest layer, imports nothing."""

from __future__ import annotations


class StoreError(Exception):
    """Base of every error the store raises."""


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
