"""Stories: one row per story (articles that tell the same news), found by fingerprint.

The SQL that daemon/alerts/stories.py needs to decide whether an article
joins a story and whether its alert is an update. No rule logic here.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from typing import Any

from store.codec import dt, to_signed, to_unsigned, ts
from store.sql import Database, Tables


class Stories(Tables):
    """Story reads, and the lock around deciding a story (a table unit of the store)."""

    def story_lock(self) -> AbstractContextManager[Any]:
        """Hold while deciding an article's story and alerts and recording them.

        SQLite: one writer process, one event loop: nothing to do. PostgreSQL
        (several daemons) overrides it with a transaction-scoped lock.
        """
        return nullcontext()

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


def join_story(
    db: Database, article_id: str, fingerprint: int, story_id: int | None, now: datetime
) -> int:
    """Put a new article in story `story_id`, or in a new story when None; the story's id."""
    if story_id is None:
        story_id = int(
            db.execute(
                """INSERT INTO stories (fingerprint, article_id, created_at, seen_at)
                   VALUES (?, ?, ?, ?) RETURNING id""",
                [to_signed(fingerprint), article_id, ts(now), ts(now)],
            ).fetchall()[0][0]
        )
    else:
        db.execute("UPDATE stories SET seen_at = ? WHERE id = ?", [ts(now), story_id])
    db.execute("UPDATE articles SET story_id = ? WHERE id = ?", [story_id, article_id])
    return story_id
