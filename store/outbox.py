"""The delivery outbox, stories and destinations: the store's side of alerting.

A mixin of `Store` (store/sqlite.py): the SQL for what daemon/alerts/worker.py,
daemon/alerts/stories.py and `wirewatch deliveries` need. No rule logic here.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from rules.model import Article, Hit
from store.codec import dt, evidence_json, ts
from store.model import DeliveryJob, Destination, Planned
from store.sql import Database
from store.storyindex import StoryIndex, StoryJoin

_U64 = 1 << 64

_JOB_SELECT = """
    SELECT d.id AS d_id, d.channel, d.idempotency_key, d.attempts, d.status,
           d.created_at AS d_created_at, d.next_attempt_at, d.last_error, d.kind, d.story_id,
           d.digest, d.sent_at AS d_sent_at, p.idempotency_key AS parent_key,
           p.remote_ref AS parent_ref, {hit_columns}
    FROM deliveries d JOIN hits h ON h.id = d.hit_id
    JOIN articles a ON a.id = h.article_id
    LEFT JOIN deliveries p ON p.id = d.parent_id
"""

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


@dataclass(frozen=True, slots=True)
class Recorded:
    """What record_planned stored: the article's story, hit ids by watch, delivery ids."""

    story_id: int | None
    hit_ids: dict[str, int]
    delivery_ids: list[int]


def to_signed(fingerprint: int) -> int:
    """A 64-bit unsigned fingerprint as SQLite's signed INTEGER."""
    return fingerprint - _U64 if fingerprint >= 1 << 63 else fingerprint


def to_unsigned(value: int) -> int:
    """Back from SQLite's signed INTEGER."""
    return value + _U64 if value < 0 else value


class Outbox(StoryIndex):
    """Outbox, story and destination operations; mixed into Store."""

    db: Database
    owner: str
    # PostgreSQL: lock the claimed rows, skipping those another daemon is claiming.
    claim_lock: str = ""

    def story_lock(self) -> AbstractContextManager[Any]:
        """Hold while deciding an article's story and alerts and recording them.

        SQLite: one writer process, one event loop: nothing to do. PostgreSQL
        (several daemons) overrides it with a transaction-scoped lock.
        """
        return nullcontext()

    # -- stories --------------------------------------------------------------

    def story_candidates(self, since: datetime) -> list[tuple[int, int]]:
        """(story id, fingerprint) of every story seen since `since`, newest first."""
        rows = self.db.execute(
            "SELECT id, fingerprint FROM stories WHERE seen_at >= ? ORDER BY id DESC", [ts(since)]
        ).fetchall()
        return [(r[0], to_unsigned(r[1])) for r in rows]

    def story_parent(
        self, watch_id: str, story_id: int, channel: str, since: datetime
    ) -> tuple[int, datetime | None] | None:
        """The story's latest alert for (watch, channel) since `since`: id, digest time."""
        row = self.db.execute(
            """SELECT d.id, d.digest, d.status, d.next_attempt_at FROM deliveries d
               JOIN hits h ON h.id = d.hit_id
               WHERE d.story_id = ? AND h.watch_id = ? AND d.channel = ? AND d.kind = 'alert'
                 AND d.created_at >= ? ORDER BY d.id DESC LIMIT 1""",
            [story_id, watch_id, channel, ts(since)],
        ).fetchone()
        if row is None:
            return None
        held = dt(row[3]) if row[1] and row[2] == "pending" else None
        return row[0], held

    def record_planned(
        self,
        article: Article,
        hits: Sequence[tuple[Hit, Sequence[Planned]]],
        now: datetime,
        *,
        fingerprint: int | None = None,
        story_id: int | None = None,
        join: StoryJoin | None = None,
    ) -> Recorded:
        """Store an article (joining `story_id`, else a new story), its hits, their deliveries.

        One transaction. An article already stored is left as it is and nothing is added.
        """
        with self.db.atomic():
            cur = self.db.execute(
                """INSERT INTO articles (id, feed_url, guid, url, title, text, lang,
                       feed_title, published_at, fetched_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""",
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
                return Recorded(None, {}, [])
            if fingerprint is not None:
                is_new = story_id is None
                story_id = self._join_story(article.id, fingerprint, story_id, now)
                if join is not None:
                    self._index_story(article.id, story_id, join, is_new)
            hit_ids: dict[str, int] = {}
            delivery_ids: list[int] = []
            for hit, plans in hits:
                hit_ids[hit.watch_id] = self._insert_hit(article.id, hit, now)
                for plan in plans:
                    delivery_ids.append(
                        self._insert_delivery(hit_ids[hit.watch_id], plan, now, story_id)
                    )
        return Recorded(story_id, hit_ids, delivery_ids)

    def _join_story(
        self, article_id: str, fingerprint: int, story_id: int | None, now: datetime
    ) -> int:
        if story_id is None:
            story_id = int(
                self.db.execute(
                    """INSERT INTO stories (fingerprint, article_id, created_at, seen_at)
                       VALUES (?, ?, ?, ?) RETURNING id""",
                    [to_signed(fingerprint), article_id, ts(now), ts(now)],
                ).fetchall()[0][0]
            )
        else:
            self.db.execute("UPDATE stories SET seen_at = ? WHERE id = ?", [ts(now), story_id])
        self.db.execute("UPDATE articles SET story_id = ? WHERE id = ?", [story_id, article_id])
        return story_id

    def _insert_hit(self, article_id: str, hit: Hit, now: datetime) -> int:
        return int(
            self.db.execute(
                """INSERT INTO hits (article_id, watch_id, title, severity, condition,
                       evidence, rule_file, rule_version, created_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
                [
                    article_id,
                    hit.watch_id,
                    hit.title,
                    hit.severity,
                    hit.condition,
                    evidence_json(hit.evidence),
                    hit.rule_file,
                    hit.rule_version,
                    ts(now),
                ],
            ).fetchall()[0][0]
        )

    def _insert_delivery(
        self, hit_id: int, plan: Planned, now: datetime, story_id: int | None
    ) -> int:
        cur = self.db.execute(
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

    def hit_count(self, watch_id: str, since: datetime, until: datetime) -> int:
        """How many hits a watch had in [since, until)."""
        row = self.db.execute(
            "SELECT count(*) FROM hits WHERE watch_id = ? AND created_at >= ? AND created_at < ?",
            [watch_id, ts(since), ts(until)],
        ).fetchone()
        return int(row[0])

    def last_escalation(self, watch_id: str) -> datetime | None:
        """When the watch's last escalation was created."""
        row = self.db.execute(
            """SELECT max(d.created_at) FROM deliveries d JOIN hits h ON h.id = d.hit_id
               WHERE h.watch_id = ? AND d.kind = 'escalation'""",
            [watch_id],
        ).fetchone()
        return dt(row[0]) if row else None

    # -- the outbox -----------------------------------------------------------

    def claim_due(
        self, now: datetime, limit: int = 50, lease: timedelta = timedelta(minutes=2)
    ) -> list[DeliveryJob]:
        """Claim due deliveries for `lease`, oldest first, keeping each channel's order."""
        from store.sqlite import _HIT_COLUMNS

        with self.db.atomic():
            rows = list(
                self.db.query(
                    _JOB_SELECT.format(hit_columns=_HIT_COLUMNS)
                    + f" WHERE {_CLAIMABLE} ORDER BY d.id LIMIT :limit{self.claim_lock}",
                    {"now": ts(now), "limit": limit},
                )
            )
            if rows:
                marks = ",".join("?" * len(rows))
                self.db.execute(
                    f"""UPDATE deliveries SET claimed_until = ?, claimed_by = ?
                        WHERE id IN ({marks})""",
                    [ts(now + lease), self.owner, *(r["d_id"] for r in rows)],
                )
        return [_job(r) for r in rows]

    def release(self, ids: Sequence[int]) -> None:
        """Give claimed deliveries back without counting an attempt."""
        if ids:
            with self.db.atomic():
                marks = ",".join("?" * len(ids))
                self.db.execute(
                    f"UPDATE deliveries SET claimed_until = NULL WHERE id IN ({marks})", list(ids)
                )

    def mark_sent_many(self, ids: Sequence[int], now: datetime, ref: str | None = None) -> None:
        """Record deliveries as sent (one message), with the receiver's reference."""
        with self.db.atomic():
            for i in ids:
                self.db.execute(
                    """UPDATE deliveries SET status = 'sent', sent_at = ?,
                           attempts = attempts + 1, claimed_until = NULL, last_error = NULL,
                           remote_ref = ? WHERE id = ?""",
                    [ts(now), ref, i],
                )

    def outbox(
        self, status: str | None = None, limit: int = 100, channel: str | None = None
    ) -> list[DeliveryJob]:
        """Deliveries, newest first, optionally of one status and channel."""
        from store.sqlite import _HIT_COLUMNS

        where, args = [], []
        if status:
            where.append("d.status = ?")
            args.append(status)
        if channel:
            where.append("d.channel = ?")
            args.append(channel)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        rows = self.db.query(
            _JOB_SELECT.format(hit_columns=_HIT_COLUMNS) + f" {clause} ORDER BY d.id DESC LIMIT ?",
            [*args, limit],
        )
        return [_job(r) for r in rows]

    def retry_dead(self, ids: Sequence[int] | None, now: datetime) -> int:
        """Make dead letters (all, or these ids) pending again; re-enable their channels."""
        with self.db.atomic():
            where, args = "status = 'dead'", []
            if ids is not None:
                where += f" AND id IN ({','.join('?' * len(ids))})"
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
            for c in channels:
                self.db.execute("DELETE FROM destinations WHERE channel = ?", [c])
        return int(cur.rowcount)

    # -- destinations ---------------------------------------------------------

    def disable_destination(self, channel: str, reason: str, now: datetime) -> None:
        """Stop sending to a channel until an operator retries its dead letters."""
        with self.db.atomic():
            self.db.execute(
                """INSERT INTO destinations (channel, status, reason, changed_at)
                   VALUES (?, 'disabled', ?, ?)
                   ON CONFLICT(channel) DO UPDATE SET status = 'disabled',
                       reason = excluded.reason, changed_at = excluded.changed_at""",
                [channel, reason, ts(now)],
            )

    def destinations(self) -> list[Destination]:
        """Channels that are disabled, and why."""
        rows = self.db.execute(
            "SELECT channel, status, reason, changed_at FROM destinations ORDER BY channel"
        ).fetchall()
        return [Destination(r[0], r[1], r[2], dt(r[3]) or datetime.min) for r in rows]

    def status_counts(self) -> dict[str, int]:
        """Deliveries per status."""
        rows = self.db.execute("SELECT status, count(*) FROM deliveries GROUP BY status")
        return {r[0]: r[1] for r in rows.fetchall()}


def _job(r: dict[str, Any]) -> DeliveryJob:
    from store.sqlite import _hit

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
        kind=r["kind"],
        story_id=r["story_id"],
        digest=bool(r["digest"]),
        sent_at=dt(r["d_sent_at"]),
        parent_key=r["parent_key"],
        parent_ref=r["parent_ref"],
    )
