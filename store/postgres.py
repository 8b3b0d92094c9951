"""The PostgreSQL store: the SQLite store's operations on a shared database.

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

Only what differs from SQLite is here; the SQL is shared (store/feeds.py,
store/outbox.py, store/housekeeping.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from store.errors import StoreOpenError
from store.housekeeping import BackupError
from store.interface import StoreAPI
from store.sqlite import Store

try:
    import psycopg
except ImportError:  # pragma: no cover - the optional extra is missing
    psycopg = None  # type: ignore[assignment]

_PASSWORD = re.compile(r"(://[^:/@]*:)[^@]*@")
_STORY_LOCK = "SELECT pg_advisory_xact_lock(hashtext('wirewatch:stories'))"


def redact(url: str) -> str:
    """The URL with its password masked, for messages and logs."""
    return _PASSWORD.sub(r"\1***@", url)


class PostgresStore(Store):
    """Feeds, articles, hits and the outbox in a PostgreSQL database."""

    skip_locked = " FOR UPDATE SKIP LOCKED"
    claim_lock = " FOR UPDATE OF d SKIP LOCKED"

    @classmethod
    def open(cls, path: str | Path) -> PostgresStore:
        """Connect to and migrate the database at the URL `path`."""
        url = str(path)
        if psycopg is None:
            raise StoreOpenError(
                redact(url), "psycopg is not installed: pip install 'wirewatch[postgresql]'"
            )
        from store.pgdb import PgDatabase
        from store.pgmigrations import migrate

        try:
            db = PgDatabase.connect(url)
            migrate(db)
        except psycopg.Error as e:
            raise StoreOpenError(redact(url), str(e).strip()) from e
        return cls(db, url)

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


def _conforms(sqlite: Store, postgres: PostgresStore) -> tuple[StoreAPI, StoreAPI]:
    """Both backends implement the interface (checked by mypy, never called)."""
    return sqlite, postgres
