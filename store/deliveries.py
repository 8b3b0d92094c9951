"""The delivery outbox: one row per (hit, channel, kind), sent at least once.

The SQL that daemon/alerts/worker.py (claim, send, mark) and `wirewatch
deliveries` need. Claims are leases: a daemon that dies mid-send loses its
claims when they expire and another sends them. No rule logic here.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from store import rows
from store.codec import ts
from store.destinations import enable_channels
from store.model import DeliveryJob, Planned
from store.sql import Database, Tables, marks

# A delivery waits while an earlier non-digest one for the same channel is pending and not
# due (backing off) or claimed by someone else: per channel, alerts go out in creation order.
_CLAIMABLE = """
    d.status = 'pending' AND d.next_attempt_at <= :now
    AND (d.claimed_until IS NULL OR d.claimed_until <= :now)
    AND d.channel NOT IN (SELECT channel FROM destinations WHERE status = 'disabled')
    AND (d.digest = 1 OR NOT EXISTS (
        SELECT 1 FROM deliveries e
        WHERE e.channel = d.channel AND e.status = 'pending' AND e.digest = 0 AND e.id < d.id
          AND (e.next_attempt_at > :now OR e.claimed_until > :now)))
"""

_SENT = """status = 'sent', sent_at = ?, attempts = attempts + 1, claimed_until = NULL,
           last_error = NULL"""


class Deliveries(Tables):
    """Claiming, marking and listing deliveries (a table unit of the store)."""

    def claim_due(
        self, now: datetime, limit: int = 50, lease: timedelta = timedelta(minutes=2)
    ) -> list[DeliveryJob]:
        """Claim due deliveries for `lease`, oldest first, keeping each channel's order."""
        with self.db.atomic():
            found = list(
                self.db.query(
                    rows.JOB_SELECT
                    + f" WHERE {_CLAIMABLE} ORDER BY d.id LIMIT :limit{self.dialect.claim_lock}",
                    {"now": ts(now), "limit": limit},
                )
            )
            if found:
                self.db.execute(
                    f"""UPDATE deliveries SET claimed_until = ?, claimed_by = ?
                        WHERE id IN ({marks(len(found))})""",
                    [ts(now + lease), self.owner, *(r["d_id"] for r in found)],
                )
        return [rows.job(r) for r in found]

    def claim_deliveries(
        self, now: datetime, limit: int = 50, lease: timedelta = timedelta(minutes=2)
    ) -> list[DeliveryJob]:
        """Claim due pending deliveries for `lease`; unclaimed again if the daemon dies."""
        return self.claim_due(now, limit, lease)

    def release(self, ids: Sequence[int]) -> None:
        """Give claimed deliveries back without counting an attempt."""
        if ids:
            with self.db.atomic():
                self.db.execute(
                    f"UPDATE deliveries SET claimed_until = NULL WHERE id IN ({marks(len(ids))})",
                    list(ids),
                )

    def mark_sent(self, delivery_id: int, now: datetime) -> None:
        """Record a delivery as sent."""
        with self.db.atomic():
            self.db.execute(f"UPDATE deliveries SET {_SENT} WHERE id = ?", [ts(now), delivery_id])

    def mark_sent_many(self, ids: Sequence[int], now: datetime, ref: str | None = None) -> None:
        """Record deliveries as sent (one message), with the receiver's reference."""
        with self.db.atomic():
            for i in ids:
                self.db.execute(
                    f"UPDATE deliveries SET {_SENT}, remote_ref = ? WHERE id = ?",
                    [ts(now), ref, i],
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

    def outbox(
        self, status: str | None = None, limit: int = 100, channel: str | None = None
    ) -> list[DeliveryJob]:
        """Deliveries, newest first, optionally of one status and channel."""
        where, args = [], []
        if status:
            where.append("d.status = ?")
            args.append(status)
        if channel:
            where.append("d.channel = ?")
            args.append(channel)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        found = self.db.query(
            rows.JOB_SELECT + f" {clause} ORDER BY d.id DESC LIMIT ?", [*args, limit]
        )
        return [rows.job(r) for r in found]

    def deliveries(self, status: str | None = None, limit: int = 100) -> list[DeliveryJob]:
        """Deliveries, newest first, optionally of one status."""
        return self.outbox(status, limit)

    def retry_dead(self, ids: Sequence[int] | None, now: datetime) -> int:
        """Make dead letters (all, or these ids) pending again; re-enable their channels."""
        with self.db.atomic():
            where, args = "status = 'dead'", []
            if ids is not None:
                where += f" AND id IN ({marks(len(ids))})"
                args = list(ids)
            channels = [
                r[0]
                for r in self.db.execute(
                    f"SELECT DISTINCT channel FROM deliveries WHERE {where}", args
                ).fetchall()
            ]
            cur = self.db.execute(
                f"""UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?,
                        claimed_until = NULL WHERE {where}""",
                [ts(now), *args],
            )
            enable_channels(self.db, channels)
        return int(cur.rowcount)

    def status_counts(self) -> dict[str, int]:
        """Deliveries per status."""
        found = self.db.execute("SELECT status, count(*) FROM deliveries GROUP BY status")
        return {r[0]: r[1] for r in found.fetchall()}


def insert_delivery(
    db: Database, hit_id: int, plan: Planned, now: datetime, story_id: int | None
) -> int:
    """Queue one planned delivery of a hit (inside the caller's transaction); its id."""
    cur = db.execute(
        """INSERT INTO deliveries (hit_id, channel, idempotency_key, status, attempts,
               next_attempt_at, created_at, kind, story_id, parent_id, digest)
           VALUES (?, ?, ?, 'pending', 0, ?, ?, ?, ?, ?, ?) RETURNING id""",
        [
            hit_id,
            plan.channel,
            f"msg_{uuid.uuid4().hex}",
            ts(plan.digest_at or now),
            ts(now),
            plan.kind,
            story_id,
            plan.parent_id,
            int(plan.digest_at is not None),
        ],
    )
    return int(cur.fetchall()[0][0])
