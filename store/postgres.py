"""The PostgreSQL backend: several daemons on one shared database.

Several daemons (one per host, same config) share one database and coordinate
through it alone:

- due feeds are leased (`due_feeds(lease=...)`): `FOR UPDATE SKIP LOCKED`
  takes feeds no other daemon is taking, `leased_until` hands a dead daemon's
  feeds to the others when it passes;
- the outbox is claimed the same way (`claim_due`: SKIP LOCKED and
  `claimed_until`);
- articles, hits (article, watch) and deliveries (hit, channel, kind) have
  unique keys; an article stored twice adds nothing the second time;
- the story and cooldown decision (read the recent stories and alerts, decide,
  write) runs under one transaction-scoped advisory lock (`story_lock`), so two
  daemons recording the same story at once decide one after the other.

A sibling of store/sqlite.py over the same shared SQL (store/base.py); the
row locks are its dialect's words (store/sql.py:POSTGRESQL).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from store.base import SqlStore
from store.errors import BackupError, StoreOpenError
from store.migrations import check_schema
from store.migrations import migrate as apply_migrations
from store.sql import POSTGRESQL
from store.url import redact

try:
    import psycopg
except ImportError:  # pragma: no cover - the optional extra is missing
    psycopg = None  # type: ignore[assignment]

_STORY_LOCK = "SELECT pg_advisory_xact_lock(hashtext('wirewatch:stories'))"


class PostgresStore(SqlStore):
    """Feeds, articles, hits and the outbox in a PostgreSQL database."""

    @contextmanager
    def story_lock(self) -> Iterator[None]:
        """One transaction holding the cluster-wide story lock until it commits."""
        with self.db.atomic():
            self.db.execute(_STORY_LOCK)
            yield

    def backup(self, target: Path) -> None:
        """Not this way: PostgreSQL has its own tools."""
        raise BackupError(
            redact(self.path), "the store is PostgreSQL: back it up with pg_dump or pg_basebackup"
        )

    def probe_writable(self) -> str | None:
        """None if a fresh connection can write now (not a standby), else why not."""
        assert psycopg is not None
        try:
            with psycopg.connect(self.path, connect_timeout=2) as conn:
                (standby,) = conn.execute("SELECT pg_is_in_recovery()").fetchone() or (False,)
        except psycopg.Error as e:
            return f"{redact(self.path)}: {str(e).strip()}"
        return f"{redact(self.path)}: a read-only standby" if standby else None


def open_postgres(url: str, *, migrate: bool = True, read_only: bool = False) -> PostgresStore:
    """Connect to and migrate (unless told not to) the PostgreSQL database at `url`.

    `read_only`: every transaction of the connection is READ ONLY (a standby's are
    anyway); never migrate, and check that the schema is this code's.
    """
    if psycopg is None:
        raise StoreOpenError(
            redact(url), "psycopg is not installed: pip install 'wirewatch[postgresql]'"
        )
    from store.pgdb import PgDatabase

    try:
        db = PgDatabase.connect(url, read_only=read_only)
    except psycopg.Error as e:
        raise StoreOpenError(redact(url), str(e).strip()) from e
    try:
        if read_only:
            check_schema(db, redact(url))
        elif migrate:
            apply_migrations(db, POSTGRESQL, datetime.now(UTC))
    except psycopg.Error as e:
        db.close()
        raise StoreOpenError(redact(url), str(e).strip()) from e
    except BaseException:
        db.close()
        raise
    return PostgresStore(db, url, POSTGRESQL)


def read_only_reason(url: str) -> str | None:
    """Why the database at `url` can only be read (a hot standby, read-only sessions), or None.

    None when it cannot be reached: opening it then says why.
    """
    if psycopg is None:
        return None
    try:
        with psycopg.connect(url, connect_timeout=10) as conn:
            row = conn.execute(
                "SELECT pg_is_in_recovery(), current_setting('default_transaction_read_only')"
            ).fetchone()
    except psycopg.Error:
        return None
    standby, sessions = row or (False, "off")
    if standby:
        return f"{redact(url)}: a hot standby (pg_is_in_recovery() is true)"
    if sessions == "on":
        return f"{redact(url)}: default_transaction_read_only is on for this role or database"
    return None
