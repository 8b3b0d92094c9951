"""Pair statistics: how often two actors were in each relation class, per day, week or month.

Counted from recorded hits of pair watches (their evidence carries the
relation: pair, class, cue words), per story rather than per article, so a
story told by twenty feeds counts once a period. The SQL narrows the hits to
those whose evidence names both actors and a relation; the JSON of each is
then read here, the same way on SQLite and PostgreSQL (times come back as
text from one and as datetimes from the other: store.codec.dt reads both).
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime

from store.codec import dt
from store.model import PairCount
from store.sql import Tables

PERIODS = ("day", "week", "month")
CLASSES = (
    "verbal_cooperation",
    "material_cooperation",
    "verbal_conflict",
    "material_conflict",
    "unclassified",
)


def period_of(when: datetime, by: str) -> str:
    """The first day of the period `when` falls in, as YYYY-MM-DD."""
    day = when.date()
    if by == "week":
        day = date.fromordinal(day.toordinal() - day.weekday())
    elif by == "month":
        day = day.replace(day=1)
    return day.isoformat()


class Relations(Tables):
    """Relation counts per pair, read from the hits (a table unit of the store)."""

    def pair_counts(
        self, pair: tuple[str, str], by: str = "day", since: datetime | None = None
    ) -> list[PairCount]:
        """Per period, oldest first: how many stories showed the pair in each class."""
        if by not in PERIODS:
            raise ValueError(f"'{by}' is not a period (use {', '.join(PERIODS)})")
        a, b = pair
        rows = self.db.query(
            """SELECT h.evidence, h.created_at, a.id AS article_id, a.story_id, a.published_at
               FROM hits h JOIN articles a ON a.id = h.article_id
               WHERE h.evidence LIKE ? AND h.evidence LIKE ? AND h.evidence LIKE ?""",
            ['%"relation"%', f'%"{a}"%', f'%"{b}"%'],
        )
        stories: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for r in rows:
            when = dt(r["published_at"]) or dt(r["created_at"])
            if when is None or (since is not None and when < since):
                continue
            story = f"s{r['story_id']}" if r["story_id"] is not None else f"a{r['article_id']}"
            period = period_of(when, by)
            for e in json.loads(r["evidence"]):
                rel = e.get("relation")
                if rel and set(rel.get("pair", ())) == {a, b}:
                    stories[period][rel["class"]].add(story)
        return [
            PairCount(
                period=period,
                pair=(a, b),
                counts={c: len(stories[period].get(c, ())) for c in CLASSES},
                stories=len(set().union(*stories[period].values())),
            )
            for period in sorted(stories)
        ]
