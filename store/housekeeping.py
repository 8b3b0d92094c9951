"""Housekeeping SQL: retention, online backup, write probes, claims and status numbers.

Plain functions over a sqlite-utils Database (or a path); `Store` exposes them
as methods. Imports nothing of `daemon` or rule logic.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from store.codec import dt, ts
from store.errors import StoreError
from store.sql import Database


class BackupError(StoreError):
    """The backup could not be written."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: cannot write the backup: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Pruned:
    """What one retention run removed."""

    deleted: int  # articles without hits: gone
    emptied: int  # articles with hits: text dropped, the row kept for the hits


@dataclass(frozen=True, slots=True)
class StoreStats:
    """Numbers for status lines and metrics, read in one go."""

    feeds: dict[tuple[str, str], int] = field(default_factory=dict)  # (status, error_class)
    articles: int = 0
    hits_by_watch: dict[str, int] = field(default_factory=dict)
    deliveries: dict[tuple[str, str], int] = field(default_factory=dict)  # (channel, status)

    @property
    def hits(self) -> int:
        """Every hit recorded."""
        return sum(self.hits_by_watch.values())

    @property
    def pending(self) -> int:
        """Deliveries waiting in the outbox."""
        return sum(n for (_, status), n in self.deliveries.items() if status == "pending")


def prune_articles(db: Database, before: datetime, limit: int = 1000) -> Pruned:
    """Apply retention to up to `limit` articles fetched before `before`; hits stay.

    Articles without hits are deleted. Articles with hits keep their row (title,
    url, feed, language: what a hit shows) and lose only their text; the hit's
    evidence already holds the sentences that matter. Call until it returns
    Pruned(0, 0): small batches keep each write transaction short.
    """
    cutoff = ts(before)
    with db.atomic():
        deleted = db.execute(
            """DELETE FROM articles WHERE id IN (
                   SELECT a.id FROM articles a WHERE a.fetched_at < ?
                   AND NOT EXISTS (SELECT 1 FROM hits h WHERE h.article_id = a.id) LIMIT ?)""",
            [cutoff, limit],
        ).rowcount
        emptied = db.execute(
            """UPDATE articles SET text = NULL WHERE id IN (
                   SELECT id FROM articles WHERE fetched_at < ? AND text IS NOT NULL LIMIT ?)""",
            [cutoff, limit],
        ).rowcount
    return Pruned(deleted, emptied)


def backup(db: Database, target: Path) -> None:
    """Copy the live database to `target` with SQLite's online backup API."""
    partial = target.with_name(target.name + ".partial")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        dest = sqlite3.connect(partial)
        try:
            # One step: a single read transaction, which in WAL mode never blocks the
            # daemon's writes; in small steps each of its commits would restart the copy.
            db.conn.backup(dest, pages=-1)  # type: ignore[attr-defined]
        finally:
            dest.close()
        partial.replace(target)  # a reader never sees a half-written backup
    except (OSError, sqlite3.Error) as e:
        partial.unlink(missing_ok=True)
        raise BackupError(str(target), str(e)) from e


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


def release_claims(db: Database, now: datetime, owner: str) -> int:
    """Hand back the deliveries `owner` still leases (on shutdown): sent next at once.

    Claims of no one in particular (made before claims had owners) go back too;
    another daemon's claims stay: it may be sending them right now.
    """
    with db.atomic():
        return int(
            db.execute(
                """UPDATE deliveries SET claimed_until = NULL, claimed_by = NULL
                   WHERE status = 'pending' AND claimed_until > ?
                     AND (claimed_by = ? OR claimed_by IS NULL)""",
                [ts(now), owner],
            ).rowcount
        )


def stats(db: Database) -> StoreStats:
    """Feeds by status and error class, articles, hits by watch, deliveries by channel/status."""
    feeds = {
        (r[0], r[1] or ""): r[2]
        for r in db.execute(
            "SELECT status, CASE WHEN status = 'failing' THEN error_class END, count(*) "
            "FROM feeds WHERE status != 'retired' GROUP BY 1, 2"
        ).fetchall()
    }
    (articles,) = db.execute("SELECT count(*) FROM articles").fetchone()
    hits = dict(db.execute("SELECT watch_id, count(*) FROM hits GROUP BY watch_id").fetchall())
    deliveries = {
        (r[0], r[1]): r[2]
        for r in db.execute(
            "SELECT channel, status, count(*) FROM deliveries GROUP BY channel, status"
        ).fetchall()
    }
    return StoreStats(feeds, articles, hits, deliveries)


def sent_since(db: Database, after: str) -> tuple[str, list[tuple[str, float]]]:
    """Deliveries sent after the stored time `after`: (latest sent_at, [(channel, s queued)])."""
    rows = db.execute(
        """SELECT channel, created_at, sent_at FROM deliveries
           WHERE status = 'sent' AND sent_at > ? ORDER BY sent_at""",
        [after],
    ).fetchall()
    out = []
    for channel, created, sent in rows:
        created_at, sent_at = dt(created), dt(sent)
        if created_at and sent_at:
            out.append((channel, max(0.0, (sent_at - created_at).total_seconds())))
    return (rows[-1][2] if rows else after), out
