"""Housekeeping: retention, claims handed back on shutdown, and status numbers.

Shared SQL of both backends. Backups and write probes are each backend's own
(store/sqlite.py, store/postgres.py). Imports nothing of `daemon` or rule logic.
"""

from __future__ import annotations

from datetime import datetime

from store.codec import dt, ts
from store.model import Pruned, StoreStats
from store.sql import Tables

__all__ = ["Housekeeping", "Pruned", "StoreStats"]


class Housekeeping(Tables):
    """Retention, claims and numbers across the tables (a unit of the store)."""

    def prune_articles(self, before: datetime, limit: int = 1000) -> Pruned:
        """Apply retention to up to `limit` articles fetched before `before`; hits stay.

        Articles without hits are deleted. Articles with hits keep their row (title,
        url, feed, language: what a hit shows) and lose only their text; the hit's
        evidence already holds the sentences that matter. Call until it returns
        Pruned(0, 0): small batches keep each write transaction short.
        """
        cutoff = ts(before)
        with self.db.atomic():
            deleted = self.db.execute(
                """DELETE FROM articles WHERE id IN (
                       SELECT a.id FROM articles a WHERE a.fetched_at < ?
                       AND NOT EXISTS (SELECT 1 FROM hits h WHERE h.article_id = a.id) LIMIT ?)""",
                [cutoff, limit],
            ).rowcount
            emptied = self.db.execute(
                """UPDATE articles SET text = NULL WHERE id IN (
                       SELECT id FROM articles WHERE fetched_at < ? AND text IS NOT NULL
                       LIMIT ?)""",
                [cutoff, limit],
            ).rowcount
        return Pruned(deleted, emptied)

    def release_claims(self, now: datetime) -> int:
        """Hand back the deliveries this store still leases (on shutdown): sent next at once.

        Claims of no one in particular (made before claims had owners) go back too;
        another daemon's claims stay: it may be sending them right now.
        """
        with self.db.atomic():
            return int(
                self.db.execute(
                    """UPDATE deliveries SET claimed_until = NULL, claimed_by = NULL
                       WHERE status = 'pending' AND claimed_until > ?
                         AND (claimed_by = ? OR claimed_by IS NULL)""",
                    [ts(now), self.owner],
                ).rowcount
            )

    def stats(self) -> StoreStats:
        """Feeds by status and error class, articles, hits by watch, deliveries by channel."""
        feeds = {
            (r[0], r[1] or ""): r[2]
            for r in self.db.execute(
                "SELECT status, CASE WHEN status = 'failing' THEN error_class END, count(*) "
                "FROM feeds WHERE status != 'retired' GROUP BY 1, 2"
            ).fetchall()
        }
        (articles,) = self.db.execute("SELECT count(*) FROM articles").fetchone()
        hits = dict(
            self.db.execute("SELECT watch_id, count(*) FROM hits GROUP BY watch_id").fetchall()
        )
        deliveries = {
            (r[0], r[1]): r[2]
            for r in self.db.execute(
                "SELECT channel, status, count(*) FROM deliveries GROUP BY channel, status"
            ).fetchall()
        }
        return StoreStats(feeds, articles, hits, deliveries)

    def counts(self) -> dict[str, int]:
        """Row counts for status lines: feeds, articles, hits, pending deliveries."""
        one = self.db.execute(
            """SELECT (SELECT count(*) FROM feeds), (SELECT count(*) FROM articles),
                      (SELECT count(*) FROM hits),
                      (SELECT count(*) FROM deliveries WHERE status = 'pending')"""
        ).fetchone()
        return dict(zip(("feeds", "articles", "hits", "pending"), one, strict=True))

    def sent_since(self, after: str) -> tuple[str, list[tuple[str, float]]]:
        """Deliveries sent after the time `after` ('' = ever), with their time in the outbox.

        Returns the latest sent time (ISO text, the next call's `after`) and
        (channel, seconds queued) per delivery.
        """
        since, args = ("AND sent_at > ?", [ts(dt(after))]) if after else ("", [])
        found = self.db.execute(
            f"""SELECT channel, created_at, sent_at FROM deliveries
                WHERE status = 'sent' {since} ORDER BY sent_at""",
            args,
        ).fetchall()
        out = []
        for channel, created, sent in found:
            created_at, sent_at = dt(created), dt(sent)
            if created_at and sent_at:
                out.append((channel, max(0.0, (sent_at - created_at).total_seconds())))
        return (ts(dt(found[-1][2])) or after if found else after), out
