"""Digest schedules: `hourly` or `daily at HH:MM` in a named time zone.

Slots are computed in local wall-clock time and converted to UTC, so a daily
digest at 08:00 stays at 08:00 local across daylight-saving changes. A local
time that does not exist on a spring-forward day is moved forward by the gap;
a repeated autumn time is taken at its first occurrence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_DAILY = re.compile(r"daily\s+at\s+(\d{1,2}):(\d{2})")


@dataclass(frozen=True, slots=True)
class Schedule:
    """When a channel's digest goes out."""

    tz: ZoneInfo
    at: time | None  # None: every hour on the hour (local)

    def next_after(self, moment: datetime) -> datetime:
        """The first slot strictly after `moment`, in UTC."""
        local = moment.astimezone(self.tz)
        if self.at is None:
            top = local.replace(minute=0, second=0, microsecond=0)
            slot = top.astimezone(UTC) + timedelta(hours=1)
            while slot <= moment:
                slot += timedelta(hours=1)
            return slot
        day = local.date()
        while True:
            slot = _wall(datetime.combine(day, self.at), self.tz)
            if slot > moment:
                return slot
            day += timedelta(days=1)


def _wall(naive: datetime, tz: ZoneInfo) -> datetime:
    """A local wall-clock time in UTC.

    fold=0 (PEP 495) takes a repeated time at its first occurrence and reads a
    nonexistent one with the offset before the change, i.e. moved forward by the gap.
    """
    return naive.replace(tzinfo=tz, fold=0).astimezone(UTC)


def parse_schedule(text: str, timezone: str) -> Schedule:
    """A digest schedule; raises ValueError naming what is wrong."""
    try:
        tz = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise ValueError(f"unknown time zone '{timezone}' (use an IANA name)") from e
    value = text.strip().lower()
    if value == "hourly":
        return Schedule(tz, None)
    m = _DAILY.fullmatch(value)
    if m and int(m.group(1)) < 24 and int(m.group(2)) < 60:
        return Schedule(tz, time(int(m.group(1)), int(m.group(2))))
    raise ValueError(f"'{text}' is not a digest schedule; use 'hourly' or 'daily at HH:MM'")
