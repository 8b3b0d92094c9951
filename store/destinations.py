"""Destinations: channels the outbox has stopped sending to, and why.

A channel is disabled when its receiver says it is gone (HTTP 410, a bounced
address) and enabled again when an operator retries its dead letters.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from store import rows
from store.codec import ts
from store.model import Destination
from store.sql import Database, Tables


class Destinations(Tables):
    """Disabled channels (a table unit of the store)."""

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
        return [
            rows.destination(r)
            for r in self.db.query(
                "SELECT channel, status, reason, changed_at FROM destinations ORDER BY channel"
            )
        ]


def enable_channels(db: Database, channels: Iterable[str]) -> None:
    """Send to these channels again (inside the caller's transaction)."""
    for channel in channels:
        db.execute("DELETE FROM destinations WHERE channel = ?", [channel])
