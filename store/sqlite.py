"""The SQLite backend: one file in WAL mode, written by one daemon.

The shared SQL is store/base.py; here is only what SQLite does its own way:
opening the file, the online backup, and the write probe.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import sqlite_utils

from store.base import SqlStore
from store.errors import BackupError, StoreOpenError
from store.migrations import check_schema
from store.migrations import migrate as apply_migrations
from store.sql import SQLITE

BUSY_MS = 30_000  # how long a write waits for another writer
OPEN_BUSY_MS = 3_000  # at open: a store locked this long is reported, not waited for


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


def open_sqlite(path: str | Path, *, migrate: bool = True, read_only: bool = False) -> SqliteStore:
    """Open (creating if needed) and migrate (unless told not to) the SQLite store at `path`.

    `read_only`: open the existing file with `mode=ro` (SQLite refuses every write),
    never create, migrate or switch it to WAL, and check its schema is this code's.
    """
    name = str(path)
    if read_only:
        return _open_read_only(name)
    try:
        if name != ":memory:":
            Path(name).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(name, timeout=BUSY_MS / 1000, check_same_thread=False)
        db = sqlite_utils.Database(conn)
        if name != ":memory:":
            db.enable_wal()
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA synchronous = NORMAL")
        if migrate:
            apply_migrations(db, SQLITE, datetime.now(UTC))
        if migrate and name != ":memory:":
            # A database locked by another process fails here, as a StoreOpenError,
            # rather than at the first write with a traceback after BUSY_MS. Only the
            # lock is asked for: read-only commands still open a read-only file. Not
            # for the extra connections of a store already open (migrate=False).
            db.execute(f"PRAGMA busy_timeout = {OPEN_BUSY_MS}")
            db.execute("BEGIN IMMEDIATE")
            db.execute("ROLLBACK")
            db.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
    except (OSError, sqlite3.Error) as e:
        raise StoreOpenError(name, str(e)) from e
    return SqliteStore(db, name, SQLITE)


def _open_read_only(name: str) -> SqliteStore:
    if name == ":memory:" or not os.path.isfile(name):
        raise StoreOpenError(name, "no such file (a read-only store is never created)")
    path = os.path.abspath(name)
    try:
        db = _connect_read_only(f"file:{quote(path)}?mode=ro")
    except sqlite3.Error as e:
        # A WAL file in a folder we cannot write, with no -wal beside it: mode=ro needs
        # to make its -shm and cannot. Nobody can be writing it then (a writer makes the
        # -wal first), so it is read as immutable.
        if os.access(os.path.dirname(path), os.W_OK) or os.path.exists(path + "-wal"):
            raise StoreOpenError(name, str(e)) from e
        try:
            db = _connect_read_only(f"file:{quote(path)}?immutable=1")
        except sqlite3.Error as again:
            raise StoreOpenError(name, str(again)) from again
    conn = db.conn
    try:
        check_schema(db, name)
    except BaseException:
        conn.close()
        raise
    return SqliteStore(db, name, SQLITE)


def _connect_read_only(uri: str) -> sqlite_utils.Database:
    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_MS / 1000, check_same_thread=False)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # reads the header now
    except sqlite3.Error:
        conn.close()
        raise
    return sqlite_utils.Database(conn)


def read_only_reason(path: str) -> str | None:
    """Why the SQLite file at `path` can only be read, or None (also when it is missing).

    By its mode bits as well as by access(2): root may write a 0444 file, but a
    file nobody may write is meant to stay as it is.
    """
    if path == ":memory:" or not os.path.exists(path):
        return None
    folder = os.path.dirname(os.path.abspath(path))
    for name in (path, path + "-wal", path + "-shm", folder):
        if not os.path.exists(name):
            continue
        mode = os.stat(name).st_mode
        if not mode & 0o222 or not os.access(name, os.W_OK):
            what = "folder" if name == folder else "file"
            return f"{name}: the {what} is read-only (mode {mode & 0o777:04o})"
    return None


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
