"""The SQLite backend: one file in WAL mode, written by one daemon.

The shared SQL is store/base.py; here is only what SQLite does its own way:
opening the file, the online backup, and the write probe.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from store.base import SqlStore
from store.errors import BackupError, StoreOpenError
from store.migrations import migrate as apply_migrations
from store.sql import SQLITE


class SqliteStore(SqlStore):
    """The store in one SQLite file (or `:memory:`)."""

    db: sqlite_utils.Database

    def backup(self, target: Path) -> None:
        """Write a consistent copy of the live database to `target` (online backup)."""
        partial = target.with_name(target.name + ".partial")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            dest = sqlite3.connect(partial)
            try:
                # One step: a single read transaction, which in WAL mode never blocks the
                # daemon's writes; in small steps each of its commits would restart the copy.
                self.db.conn.backup(dest, pages=-1)
            finally:
                dest.close()
            partial.replace(target)  # a reader never sees a half-written backup
        except (OSError, sqlite3.Error) as e:
            partial.unlink(missing_ok=True)
            raise BackupError(str(target), str(e)) from e

    def probe_writable(self) -> str | None:
        """None if the database can be written now, else the reason it cannot."""
        return probe_writable(self.path)


def open_sqlite(path: str | Path, *, migrate: bool = True) -> SqliteStore:
    """Open (creating if needed) and migrate (unless told not to) the SQLite store at `path`."""
    name = str(path)
    try:
        if name != ":memory:":
            Path(name).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(name, timeout=30, check_same_thread=False)
        db = sqlite_utils.Database(conn)
        if name != ":memory:":
            db.enable_wal()
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA synchronous = NORMAL")
        if migrate:
            apply_migrations(db, SQLITE, datetime.now(UTC))
    except (OSError, sqlite3.Error) as e:
        raise StoreOpenError(name, str(e)) from e
    return SqliteStore(db, name, SQLITE)


def probe_writable(path: str, timeout_s: float = 0.5) -> str | None:
    """None if a writer could start a transaction on `path` now, else why not.

    Uses its own connection, so it is safe from any thread and sees what a
    fresh writer would: a read-only or missing file, a lock held by another
    process.
    """
    if path == ":memory:":
        return None
    # SQLite may hand a new connection a read-write descriptor that another
    # connection of this process left open, so ask the kernel first. Never
    # open() and close() the files here: closing any descriptor of a file drops
    # every POSIX lock this process holds on it, SQLite's included.
    if not os.path.exists(path):
        return f"{path}: missing"
    for name in (path, path + "-wal", path + "-shm"):
        if os.path.exists(name) and not os.access(name, os.W_OK):
            return f"{name}: not writable"
    try:
        conn = sqlite3.connect(
            f"file:{path}?mode=rw", uri=True, timeout=timeout_s, isolation_level=None
        )
    except sqlite3.Error as e:
        return str(e)
    try:
        # BEGIN IMMEDIATE alone succeeds on a read-only WAL file; dirtying page 1
        # (user_version set to itself) needs a real write. Rolled back: nothing lands.
        conn.execute("BEGIN IMMEDIATE")
        (version,) = conn.execute("PRAGMA user_version").fetchone()
        conn.execute(f"PRAGMA user_version = {int(version)}")
        conn.execute("ROLLBACK")
    except sqlite3.Error as e:
        return str(e)
    finally:
        conn.close()
    return None
