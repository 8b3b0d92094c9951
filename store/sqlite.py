"""The SQLite store: WAL, migrations, and the handful of operations callers need."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from rules.model import Article, Hit
from store import housekeeping
from store.codec import dt, evidence_from_json, evidence_json, ts
from store.errors import StoreOpenError
from store.migrations import migrate
from store.model import DeliveryJob, FeedState, PollOutcome, StoredHit

_HIT_COLUMNS = """
    h.id, h.watch_id, h.title, h.severity, h.article_id, a.title AS article_title,
    a.url AS article_url, a.feed_url, a.feed_title, a.lang, a.published_at,
    h.created_at, h.evidence, h.condition, h.rule_file, h.rule_version
"""


class Store:
    """Feeds, articles, hits and the delivery outbox in one SQLite file."""

    def __init__(self, db: sqlite_utils.Database, path: str) -> None:
        self.db = db
        self.path = path

    @classmethod
    def open(cls, path: str | Path) -> Store:
        """Open (creating if needed) and migrate the database at `path`."""
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
            migrate(db)
        except (OSError, sqlite3.Error) as e:
            raise StoreOpenError(name, str(e)) from e
        return cls(db, name)

    def close(self) -> None:
        """Close the database."""
        self.db.close()

    # -- feeds --------------------------------------------------------------

    def sync_feeds(self, feeds: Iterable[tuple[str, int]], now: datetime) -> None:
        """Make sure every configured feed (url, interval_s) has a row; update intervals."""
        with self.db.atomic():
            for url, interval_s in feeds:
                self.db.execute(
                    """INSERT INTO feeds (url, interval_s, status, error_count, added_at,
                           next_poll_at)
                       VALUES (?, ?, 'new', 0, ?, ?)
                       ON CONFLICT(url) DO UPDATE SET interval_s = excluded.interval_s""",
                    [url, interval_s, ts(now), ts(now)],
                )

    def feed(self, url: str) -> FeedState | None:
        """The stored state of one feed."""
        rows = list(self.db.query("SELECT * FROM feeds WHERE url = ?", [url]))
        return _feed(rows[0]) if rows else None

    def feeds(self) -> list[FeedState]:
        """Every feed, ordered by URL."""
        return [_feed(r) for r in self.db.query("SELECT * FROM feeds ORDER BY url")]

    def due_feeds(self, now: datetime, limit: int = 1000) -> list[FeedState]:
        """Feeds whose next poll is due, most overdue first."""
        rows = self.db.query(
            """SELECT * FROM feeds WHERE status != 'retired'
               AND (next_poll_at IS NULL OR next_poll_at <= ?)
               ORDER BY next_poll_at LIMIT ?""",
            [ts(now), limit],
        )
        return [_feed(r) for r in rows]

    def record_poll(self, url: str, outcome: PollOutcome) -> None:
        """Record one poll's result on its feed."""
        with self.db.atomic():
            if outcome.ok:
                self.db.execute(
                    """UPDATE feeds SET status = 'ok', last_polled_at = ?, last_success_at = ?,
                           next_poll_at = ?, etag = COALESCE(?, etag),
                           last_modified = COALESCE(?, last_modified),
                           title = COALESCE(?, title), error_count = 0
                       WHERE url = ?""",
                    [
                        ts(outcome.at),
                        ts(outcome.at),
                        ts(outcome.next_poll_at),
                        outcome.etag,
                        outcome.last_modified,
                        outcome.title,
                        url,
                    ],
                )
            else:
                self.db.execute(
                    """UPDATE feeds SET status = 'failing', last_polled_at = ?, next_poll_at = ?,
                           error_class = ?, error = ?, error_count = error_count + 1
                       WHERE url = ?""",
                    [
                        ts(outcome.at),
                        ts(outcome.next_poll_at),
                        outcome.error_class,
                        outcome.error,
                        url,
                    ],
                )

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
        delivery_ids: list[int] = []
        with self.db.atomic():
            cur = self.db.execute(
                """INSERT OR IGNORE INTO articles (id, feed_url, guid, url, title, text, lang,
                       feed_title, published_at, fetched_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [
                    article.id,
                    article.feed_url,
                    article.guid,
                    article.url,
                    article.title,
                    article.text,
                    article.lang,
                    article.feed_title,
                    ts(article.published_at),
                    ts(now),
                ],
            )
            if cur.rowcount == 0:
                return []
            for hit, channels in hits:
                hit_id = self.db.execute(
                    """INSERT INTO hits (article_id, watch_id, title, severity, condition,
                           evidence, rule_file, rule_version, created_at)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    [
                        article.id,
                        hit.watch_id,
                        hit.title,
                        hit.severity,
                        hit.condition,
                        evidence_json(hit.evidence),
                        hit.rule_file,
                        hit.rule_version,
                        ts(now),
                    ],
                ).lastrowid
                for channel in channels:
                    cur = self.db.execute(
                        """INSERT INTO deliveries (hit_id, channel, idempotency_key, status,
                               attempts, next_attempt_at, created_at)
                           VALUES (?, ?, ?, 'pending', 0, ?, ?)""",
                        [hit_id, channel, f"msg_{uuid.uuid4().hex}", ts(now), ts(now)],
                    )
                    delivery_ids.append(int(cur.lastrowid or 0))
        return delivery_ids

    def hits(self, limit: int = 50, watch_id: str | None = None) -> list[StoredHit]:
        """The most recent hits, newest first."""
        where, args = ("WHERE h.watch_id = ?", [watch_id]) if watch_id else ("", [])
        rows = self.db.query(
            f"""SELECT {_HIT_COLUMNS} FROM hits h JOIN articles a ON a.id = h.article_id
                {where} ORDER BY h.id DESC LIMIT ?""",
            [*args, limit],
        )
        return [_hit(r) for r in rows]

    # -- deliveries (the outbox) --------------------------------------------

    def claim_deliveries(
        self, now: datetime, limit: int = 50, lease: timedelta = timedelta(minutes=2)
    ) -> list[DeliveryJob]:
        """Claim due pending deliveries for `lease`; unclaimed again if the daemon dies."""
        with self.db.atomic():
            rows = list(
                self.db.query(
                    f"""SELECT d.id AS d_id, d.channel, d.idempotency_key, d.attempts, d.status,
                           d.created_at AS d_created_at, d.next_attempt_at, d.last_error,
                           {_HIT_COLUMNS}
                        FROM deliveries d JOIN hits h ON h.id = d.hit_id
                        JOIN articles a ON a.id = h.article_id
                        WHERE d.status = 'pending' AND d.next_attempt_at <= ?
                          AND (d.claimed_until IS NULL OR d.claimed_until <= ?)
                        ORDER BY d.channel, d.id LIMIT ?""",
                    [ts(now), ts(now), limit],
                )
            )
            if rows:
                marks = ",".join("?" * len(rows))
                self.db.execute(
                    f"UPDATE deliveries SET claimed_until = ? WHERE id IN ({marks})",
                    [ts(now + lease), *(r["d_id"] for r in rows)],
                )
        return [_job(r) for r in rows]

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
                       status = CASE WHEN ? IS NULL THEN 'dead' ELSE 'pending' END
                   WHERE id = ?""",
                [error, ts(retry_at), ts(retry_at), delivery_id],
            )

    def deliveries(self, status: str | None = None, limit: int = 100) -> list[DeliveryJob]:
        """Deliveries, newest first, optionally of one status."""
        where, args = ("WHERE d.status = ?", [status]) if status else ("", [])
        rows = self.db.query(
            f"""SELECT d.id AS d_id, d.channel, d.idempotency_key, d.attempts, d.status,
                   d.created_at AS d_created_at, d.next_attempt_at, d.last_error, {_HIT_COLUMNS}
                FROM deliveries d JOIN hits h ON h.id = d.hit_id
                JOIN articles a ON a.id = h.article_id
                {where} ORDER BY d.id DESC LIMIT ?""",
            [*args, limit],
        )
        return [_job(r) for r in rows]

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
        """Un-lease every claimed pending delivery (on shutdown)."""
        return housekeeping.release_claims(self.db, now)

    def stats(self) -> housekeeping.StoreStats:
        """Feeds, articles, hits and deliveries, grouped for status and metrics."""
        return housekeeping.stats(self.db)

    def sent_since(self, after: str) -> tuple[str, list[tuple[str, float]]]:
        """Deliveries sent after `after` (a stored time) with their time in the outbox."""
        return housekeeping.sent_since(self.db, after)


def _feed(r: dict[str, Any]) -> FeedState:
    return FeedState(
        url=r["url"],
        interval_s=r["interval_s"],
        etag=r["etag"],
        last_modified=r["last_modified"],
        status=r["status"],
        last_polled_at=dt(r["last_polled_at"]),
        last_success_at=dt(r["last_success_at"]),
        next_poll_at=dt(r["next_poll_at"]),
        error_class=r["error_class"],
        error=r["error"],
        error_count=r["error_count"],
        title=r["title"],
    )


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


def _job(r: dict[str, Any]) -> DeliveryJob:
    created, next_at = dt(r["d_created_at"]), dt(r["next_attempt_at"])
    assert created is not None and next_at is not None
    return DeliveryJob(
        id=r["d_id"],
        channel=r["channel"],
        idempotency_key=r["idempotency_key"],
        attempts=r["attempts"],
        status=r["status"],
        created_at=created,
        next_attempt_at=next_at,
        last_error=r["last_error"],
        hit=_hit(r),
    )
