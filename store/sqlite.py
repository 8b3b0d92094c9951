"""The SQLite store: WAL, migrations, and the handful of operations callers need."""

from __future__ import annotations

import os
import socket
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from rules.model import Article, Hit
from store import housekeeping, relations
from store.codec import dt, evidence_from_json, ts
from store.errors import StoreOpenError
from store.feeds import FeedStore
from store.migrations import migrate
from store.model import DeliveryJob, Planned, StoredHit
from store.outbox import Outbox
from store.relations import PairCount
from store.sql import Database

_HIT_COLUMNS = """
    h.id, h.watch_id, h.title, h.severity, h.article_id, a.title AS article_title,
    a.url AS article_url, a.feed_url, a.feed_title, a.lang, a.published_at,
    h.created_at, h.evidence, h.condition, h.rule_file, h.rule_version
"""


class Store(FeedStore, Outbox):
    """Feeds, articles, hits and the delivery outbox in one SQLite file."""

    def __init__(self, db: Database, path: str) -> None:
        self.db = db
        self.path = path
        # Who this process is in the leases it takes (feeds, deliveries).
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"

    @classmethod
    def open(cls, path: str | Path) -> Store:
        """Open (creating if needed) and migrate the store: a `postgresql://` URL or a path."""
        name = str(path)
        if is_postgres(name):
            from store.postgres import PostgresStore  # psycopg: an optional extra

            return PostgresStore.open(name)
        try:
            if name != ":memory:":
                Path(name).parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(name, timeout=30, check_same_thread=False)
            db = sqlite_utils.Database(conn)
            if name != ":memory:":
                db.enable_wal()
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("PRAGMA synchronous = NORMAL")
            migrate(db)
        except (OSError, sqlite3.Error) as e:
            raise StoreOpenError(name, str(e)) from e
        return cls(db, name)

    def close(self) -> None:
        """Close the database."""
        self.db.close()

    # -- articles and hits --------------------------------------------------

    def known_articles(self, ids: Sequence[str]) -> set[str]:
        """Which of these article ids are already stored."""
        found: set[str] = set()
        for i in range(0, len(ids), 500):
            chunk = list(ids[i : i + 500])
            marks = ",".join("?" * len(chunk))
            found.update(
                r["id"]
                for r in self.db.query(f"SELECT id FROM articles WHERE id IN ({marks})", chunk)
            )
        return found

    def record_article(
        self,
        article: Article,
        hits: Sequence[tuple[Hit, Sequence[str]]],
        now: datetime,
    ) -> list[int]:
        """Store an article, its hits and one pending delivery per (hit, channel).

        One transaction: either all of it is stored or none. An article already
        stored is left as it is and nothing is added. Returns delivery ids.
        """
        planned = [(h, [Planned(c) for c in channels]) for h, channels in hits]
        return self.record_planned(article, planned, now).delivery_ids

    def articles_since(self, since: datetime) -> Iterator[Article]:
        """Stored articles fetched at or after `since`, oldest first (read only)."""
        rows = self.db.query(
            """SELECT id, feed_url, url, title, text, published_at, lang, guid, feed_title
               FROM articles WHERE fetched_at >= ? ORDER BY fetched_at, id""",
            [ts(since)],
        )
        for r in rows:
            yield Article(
                id=r["id"],
                feed_url=r["feed_url"],
                url=r["url"] or "",
                title=r["title"] or "",
                text=r["text"] or "",
                published_at=dt(r["published_at"]),
                lang=r["lang"],
                guid=r["guid"],
                feed_title=r["feed_title"],
            )

    def hits(self, limit: int = 50, watch_id: str | None = None) -> list[StoredHit]:
        """The most recent hits, newest first."""
        where, args = ("WHERE h.watch_id = ?", [watch_id]) if watch_id else ("", [])
        rows = self.db.query(
            f"""SELECT {_HIT_COLUMNS} FROM hits h JOIN articles a ON a.id = h.article_id
                {where} ORDER BY h.id DESC LIMIT ?""",
            [*args, limit],
        )
        return [_hit(r) for r in rows]

    def pair_counts(
        self, pair: tuple[str, str], by: str = "day", since: datetime | None = None
    ) -> list[PairCount]:
        """Stories per relation class and period for two actors (store/relations.py)."""
        return relations.pair_counts(self.db, pair, by, since)

    # -- deliveries (the outbox) --------------------------------------------

    def claim_deliveries(
        self, now: datetime, limit: int = 50, lease: timedelta = timedelta(minutes=2)
    ) -> list[DeliveryJob]:
        """Claim due pending deliveries for `lease`; unclaimed again if the daemon dies."""
        return self.claim_due(now, limit, lease)

    def mark_sent(self, delivery_id: int, now: datetime) -> None:
        """Record a delivery as sent."""
        with self.db.atomic():
            self.db.execute(
                """UPDATE deliveries SET status = 'sent', sent_at = ?, attempts = attempts + 1,
                       claimed_until = NULL, last_error = NULL WHERE id = ?""",
                [ts(now), delivery_id],
            )

    def mark_failed(self, delivery_id: int, error: str, retry_at: datetime | None) -> None:
        """Record a failed attempt: retry at `retry_at`, or a dead letter when None."""
        with self.db.atomic():
            self.db.execute(
                """UPDATE deliveries SET attempts = attempts + 1, last_error = ?,
                       claimed_until = NULL, next_attempt_at = COALESCE(?, next_attempt_at),
                       status = CASE WHEN CAST(? AS TEXT) IS NULL THEN 'dead' ELSE 'pending' END
                   WHERE id = ?""",
                [error, ts(retry_at), ts(retry_at), delivery_id],
            )

    def deliveries(self, status: str | None = None, limit: int = 100) -> list[DeliveryJob]:
        """Deliveries, newest first, optionally of one status."""
        return self.outbox(status, limit)

    def counts(self) -> dict[str, int]:
        """Row counts for status lines: feeds, articles, hits, pending deliveries."""
        one = self.db.execute(
            """SELECT (SELECT count(*) FROM feeds), (SELECT count(*) FROM articles),
                      (SELECT count(*) FROM hits),
                      (SELECT count(*) FROM deliveries WHERE status = 'pending')"""
        ).fetchone()
        return dict(zip(("feeds", "articles", "hits", "pending"), one, strict=True))

    # -- housekeeping (store/housekeeping.py) ---------------------------------

    def prune_articles(self, before: datetime, limit: int = 1000) -> housekeeping.Pruned:
        """Retention, one batch: drop articles fetched before `before`, keep what hits show."""
        return housekeeping.prune_articles(self.db, before, limit)

    def backup(self, target: Path) -> None:
        """Write a consistent copy of the live database to `target` (online backup)."""
        housekeeping.backup(self.db, target)

    def probe_writable(self) -> str | None:
        """None if the database can be written now, else the reason it cannot."""
        return housekeeping.probe_writable(self.path)

    def release_claims(self, now: datetime) -> int:
        """Un-lease the pending deliveries this store claimed (on shutdown)."""
        return housekeeping.release_claims(self.db, now, self.owner)

    def stats(self) -> housekeeping.StoreStats:
        """Feeds, articles, hits and deliveries, grouped for status and metrics."""
        return housekeeping.stats(self.db)

    def sent_since(self, after: str) -> tuple[str, list[tuple[str, float]]]:
        """Deliveries sent after `after` (a stored time) with their time in the outbox."""
        return housekeeping.sent_since(self.db, after)


def is_postgres(target: str) -> bool:
    """Whether a `store:` setting names a PostgreSQL database rather than a file."""
    return target.startswith(("postgresql://", "postgres://"))


def _hit(r: dict[str, Any]) -> StoredHit:
    created = dt(r["created_at"])
    assert created is not None
    return StoredHit(
        id=r["id"],
        watch_id=r["watch_id"],
        title=r["title"] or r["watch_id"],
        severity=r["severity"],
        article_id=r["article_id"],
        article_title=r["article_title"] or "",
        article_url=r["article_url"] or "",
        feed_url=r["feed_url"],
        feed_title=r["feed_title"],
        lang=r["lang"],
        published_at=dt(r["published_at"]),
        created_at=created,
        evidence=evidence_from_json(r["evidence"]),
        condition=r["condition"] or "",
        rule_file=r["rule_file"] or "",
        rule_version=r["rule_version"] or "",
    )
