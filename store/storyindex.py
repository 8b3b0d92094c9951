"""The story index: which open stories share an article's event parts, and why it joined one.

A mixin of `Store` (store/sqlite.py), shared by both backends. `story_parts`
holds one row per (story, part) with the publication times it spans, indexed
by (part, last_at), and `story_part_days` how many stories got a part per
day (the IDF's df, a few rows per part however common), so finding the
stories that share a rare part is an index look-up, not a scan of every open
story. `story_days` counts stories per
publication day (the IDF's N); `story_joins` records how each article joined
its story (`wirewatch stories`). No rule logic here: scoring is rules/fingerprint.py.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from store.codec import dt, ts
from store.sql import Database

# Parts found in more stories than this in the window do not nominate candidates
# (they still count in the score of the candidates that rarer parts found).
MAX_NOMINATING_DF = 50
# Only the rarest parts nominate: another report of the event shares several of them.
MAX_NOMINATING_PARTS = 8
MAX_CANDIDATES = 20


@dataclass(frozen=True, slots=True)
class StoryNeighbours:
    """What the index knows about an article's parts in its story window."""

    stories: int  # stories in the window (the IDF's N)
    df: dict[str, int]  # part -> stories in the window that have it
    shared: dict[int, list[str]]  # candidate story -> the article's parts it has
    fingerprints: dict[int, int]  # candidate story -> its SimHash


@dataclass(frozen=True, slots=True)
class StoryJoin:
    """How an article got its story: the parts to index and why it joined."""

    parts: Sequence[str]
    at: datetime  # the article's publication time (else when it was fetched)
    method: str  # new | simhash | event
    score: float = 0.0
    shared: Sequence[tuple[str, float]] = field(default_factory=tuple)
    labels: Mapping[str, str] = field(default_factory=dict)  # part -> what the text said


@dataclass(frozen=True, slots=True)
class StoryArticle:
    """One article of a story, with how it joined."""

    article_id: str
    title: str
    url: str
    lang: str | None
    outlet: str
    published_at: datetime | None
    method: str
    score: float
    shared: list[tuple[str, float, str]]  # part, weight, what the text said
    story_id: int | None = None


def _ts(value: datetime) -> str:
    out = ts(value)
    assert out is not None
    return out


class StoryIndex:
    """Event-part index operations; mixed into Store."""

    db: Database

    def story_neighbours(
        self, parts: Sequence[str], at: datetime, window: timedelta
    ) -> StoryNeighbours:
        """Stories open around `at` that share the article's rare parts, with df and N."""
        lo, hi = _ts(at - window), _ts(at + window)
        parts = sorted(set(parts))
        if not parts:
            return StoryNeighbours(0, {}, {}, {})
        marks = ",".join("?" * len(parts))
        # df from per-day counts: a handful of rows per part, however common it is.
        df = {
            part: int(n)
            for part, n in self.db.execute(
                f"""SELECT part, SUM(stories) FROM story_part_days
                    WHERE part IN ({marks}) AND day >= ? AND day <= ?
                    GROUP BY part""",
                [*parts, lo[:10], hi[:10]],
            ).fetchall()
        }
        row = self.db.execute(
            "SELECT COALESCE(SUM(stories), 0) FROM story_days WHERE day >= ? AND day <= ?",
            [lo[:10], hi[:10]],
        ).fetchone()
        stories = int(row[0]) if row else 0
        rare = sorted(
            (p for p in parts if 0 < df.get(p, 0) <= MAX_NOMINATING_DF and p[0] != "a"),
            key=lambda p: (df[p], p),
        )[:MAX_NOMINATING_PARTS]
        if not rare:
            return StoryNeighbours(stories, df, {}, {})
        marks = ",".join("?" * len(rare))
        votes: Counter[int] = Counter()
        for (sid,) in self.db.execute(
            f"""SELECT story_id FROM story_parts
                WHERE part IN ({marks}) AND last_at >= ? AND first_at <= ?""",
            [*rare, lo, hi],
        ).fetchall():
            votes[int(sid)] += 1
        cands = [s for s, _ in votes.most_common(MAX_CANDIDATES)]
        smarks = ",".join("?" * len(cands))
        marks = ",".join("?" * len(parts))
        shared: dict[int, list[str]] = defaultdict(list)
        for sid, part in self.db.execute(
            f"""SELECT story_id, part FROM story_parts
                WHERE story_id IN ({smarks}) AND part IN ({marks})""",
            [*cands, *parts],
        ).fetchall():
            shared[int(sid)].append(part)
        prints = {
            int(sid): int(fp) & ((1 << 64) - 1)
            for sid, fp in self.db.execute(
                f"SELECT id, fingerprint FROM stories WHERE id IN ({smarks})", cands
            ).fetchall()
        }
        return StoryNeighbours(stories, df, dict(shared), prints)

    def _index_story(self, article_id: str, story_id: int, join: StoryJoin, is_new: bool) -> None:
        at = _ts(join.at)
        for part in sorted(set(join.parts)):
            added = self.db.execute(
                """INSERT INTO story_parts (story_id, part, first_at, last_at)
                   VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING""",
                [story_id, part, at, at],
            ).rowcount
            if added:
                self.db.execute(
                    """INSERT INTO story_part_days (part, day, stories) VALUES (?, ?, 1)
                       ON CONFLICT (part, day) DO UPDATE
                       SET stories = story_part_days.stories + 1""",
                    [part, at[:10]],
                )
                continue
            self.db.execute(
                """INSERT INTO story_parts (story_id, part, first_at, last_at)
                   VALUES (?, ?, ?, ?)
                   ON CONFLICT (story_id, part) DO UPDATE SET
                     first_at = CASE WHEN excluded.first_at < story_parts.first_at
                                THEN excluded.first_at ELSE story_parts.first_at END,
                     last_at = CASE WHEN excluded.last_at > story_parts.last_at
                               THEN excluded.last_at ELSE story_parts.last_at END""",
                [story_id, part, at, at],
            )
        if is_new:
            self.db.execute(
                """INSERT INTO story_days (day, stories) VALUES (?, 1)
                   ON CONFLICT (day) DO UPDATE SET stories = story_days.stories + 1""",
                [at[:10]],
            )
        self.db.execute(
            """INSERT INTO story_joins (article_id, story_id, method, score, shared)
               VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""",
            [
                article_id,
                story_id,
                join.method,
                round(join.score, 3),
                json.dumps(
                    [[p, round(w, 3), join.labels.get(p, "")] for p, w in join.shared],
                    ensure_ascii=False,
                ),
            ],
        )

    def story_articles(
        self, story_id: int | None = None, article_ids: Sequence[str] = ()
    ) -> list[StoryArticle]:
        """A story's articles (or these articles), oldest first, with why they joined."""
        params: list[Any]
        if story_id is not None:
            where, params = "a.story_id = ?", [story_id]
        else:
            where = f"a.id IN ({','.join('?' * len(article_ids)) or 'NULL'})"
            params = list(article_ids)
        rows: list[dict[str, Any]] = list(
            self.db.query(
                f"""SELECT a.id, a.title, a.url, a.lang, a.feed_title, a.feed_url,
                          a.published_at, a.story_id, j.method, j.score, j.shared
                   FROM articles a LEFT JOIN story_joins j ON j.article_id = a.id
                   WHERE {where} ORDER BY a.published_at, a.fetched_at""",
                params,
            )
        )
        return [
            StoryArticle(
                r["id"],
                r["title"] or "",
                r["url"] or "",
                r["lang"],
                r["feed_title"] or r["feed_url"],
                dt(r["published_at"]) if r["published_at"] else None,
                r["method"] or "new",
                float(r["score"] or 0.0),
                [(str(p), float(w), str(label)) for p, w, label in json.loads(r["shared"] or "[]")],
                r["story_id"],
            )
            for r in rows
        ]

    def recent_stories(self, limit: int = 20) -> list[tuple[int, int, str]]:
        """(story id, articles, first title) of the latest stories."""
        return [
            (int(r["story_id"]), int(r["n"]), r["title"] or "")
            for r in self.db.query(
                """SELECT a.story_id, COUNT(*) AS n, MIN(s.article_id) AS first,
                          (SELECT title FROM articles WHERE id = s.article_id) AS title
                   FROM articles a JOIN stories s ON s.id = a.story_id
                   GROUP BY a.story_id, s.article_id ORDER BY a.story_id DESC LIMIT ?""",
                [limit],
            )
        ]
