"""One test clock: it says the same time until a test moves it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@dataclass
class Clock:
    """A `now()` callable that only moves when told to."""

    at: datetime = T0

    def __call__(self) -> datetime:
        return self.at

    def tick(self, **delta: float) -> datetime:
        """Move forward by `timedelta(**delta)`; returns the new time."""
        self.at += timedelta(**delta)
        return self.at
