"""The story index: which open stories share an article's event parts, and why it joined one.

A table unit of the store (store/base.py), shared SQL of both backends.
`story_parts` holds one row per (story, part) with the publication times it
spans, indexed by (part, last_at), and `story_part_days` how many stories got
a part per day (the IDF's df, a few rows per part however common), so finding
the stories that share a rare part is an index look-up, not a scan of every
open story. `story_days` counts stories per publication day (the IDF's N);
`story_joins` records how each article joined its story (`wirewatch stories`).
Recording writes them with the article, in its transaction (store/articles.py
calls `index_story`). No rule logic here: scoring is rules/fingerprint.py.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from store import rows
from store.codec import to_unsigned, ts
from store.model import StoryArticle, StoryJoin, StoryNeighbours
from store.sql import Database, Tables, marks

# Parts found in more stories than this in the window do not nominate candidates
# (they still count in the score of the candidates that rarer parts found).
MAX_NOMINATING_DF = 50
# Only the rarest parts nominate: another report of the event shares several of them.
MAX_NOMINATING_PARTS = 8
MAX_CANDIDATES = 20


def _ts(value: datetime) -> str:
    out = ts(value)
    assert out is not None
    return out


class StoryIndex(Tables):
    """Event-part look-ups and how articles joined their stories (a table unit)."""

    def story_neighbours(
        self, parts: Sequence[str], at: datetime, window: timedelta
    ) -> StoryNeighbours:
        """Stories open around `at` that share the article's rare parts, with df and N."""
        lo, hi = _ts(at - window), _ts(at + window)
        parts = sorted(set(parts))
        if not parts:
            return StoryNeighbours(0, {}, {}, {})
        # df from per-day counts: a handful of rows per part, however common it is.
        df = {
            part: int(n)
            for part, n in self.db.execute(
                f"""SELECT part, SUM(stories) FROM story_part_days
                    WHERE part IN ({marks(len(parts))}) AND day >= ? AND day <= ?
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
        votes: Counter[int] = Counter()
        for (sid,) in self.db.execute(
            f"""SELECT story_id FROM story_parts
                WHERE part IN ({marks(len(rare))}) AND last_at >= ? AND first_at <= ?""",
            [*rare, lo, hi],
        ).fetchall():
            votes[int(sid)] += 1
        cands = [s for s, _ in votes.most_common(MAX_CANDIDATES)]
        if not cands:  # the rare parts' stories are outside the window (and `IN ()` is SQLite's)
            return StoryNeighbours(stories, df, {}, {})
        shared: dict[int, list[str]] = defaultdict(list)
        for sid, part in self.db.execute(
            f"""SELECT story_id, part FROM story_parts
                WHERE story_id IN ({marks(len(cands))}) AND part IN ({marks(len(parts))})""",
            [*cands, *parts],
        ).fetchall():
            shared[int(sid)].append(part)
        prints = {
            int(sid): to_unsigned(int(fp))
            for sid, fp in self.db.execute(
                f"SELECT id, fingerprint FROM stories WHERE id IN ({marks(len(cands))})", cands
            ).fetchall()
        }
        return StoryNeighbours(stories, df, dict(shared), prints)

    def story_articles(
        self, story_id: int | None = None, article_ids: Sequence[str] = (), limit: int = 200
    ) -> list[StoryArticle]:
        """A story's articles (or these articles), oldest first, with why they joined.

        `wirewatch stories`, `hits` and the console's story page read them.
        """
        params: list[Any]
        if story_id is not None:
            where, params = "a.story_id = ?", [story_id]
        elif article_ids:
            where, params = f"a.id IN ({marks(len(article_ids))})", list(article_ids)
        else:
            return []
        found = self.db.query(
            f"""{rows.STORY_ARTICLE_SELECT} WHERE {where}
                ORDER BY COALESCE(a.published_at, a.fetched_at), a.fetched_at, a.id LIMIT ?""",
            [*params, limit],
        )
        return [rows.story_article(r) for r in found]

    def recent_stories(self, limit: int = 20) -> list[tuple[int, int, str]]:
        """(story id, articles, first title) of the latest stories."""
        return [
            (int(r["story_id"]), int(r["n"]), r["title"] or "")
            for r in self.db.query(
                """SELECT a.story_id, count(*) AS n,
                          (SELECT title FROM articles WHERE id = s.article_id) AS title
                   FROM articles a JOIN stories s ON s.id = a.story_id
                   GROUP BY a.story_id, s.article_id ORDER BY a.story_id DESC LIMIT ?""",
                [limit],
            )
        ]


def index_story(db: Database, article_id: str, story_id: int, join: StoryJoin, new: bool) -> None:
    """Index the article's parts under its story and record how it joined (in its transaction)."""
    at = _ts(join.at)
    for part in sorted(set(join.parts)):
        added = db.execute(
            """INSERT INTO story_parts (story_id, part, first_at, last_at)
               VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING""",
            [story_id, part, at, at],
        ).rowcount
        if added:
            db.execute(
                """INSERT INTO story_part_days (part, day, stories) VALUES (?, ?, 1)
                   ON CONFLICT (part, day) DO UPDATE
                   SET stories = story_part_days.stories + 1""",
                [part, at[:10]],
            )
            continue
        db.execute(
            """INSERT INTO story_parts (story_id, part, first_at, last_at)
               VALUES (?, ?, ?, ?)
               ON CONFLICT (story_id, part) DO UPDATE SET
                 first_at = CASE WHEN excluded.first_at < story_parts.first_at
                            THEN excluded.first_at ELSE story_parts.first_at END,
                 last_at = CASE WHEN excluded.last_at > story_parts.last_at
                           THEN excluded.last_at ELSE story_parts.last_at END""",
            [story_id, part, at, at],
        )
    if new:
        db.execute(
            """INSERT INTO story_days (day, stories) VALUES (?, 1)
               ON CONFLICT (day) DO UPDATE SET stories = story_days.stories + 1""",
            [at[:10]],
        )
    db.execute(
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
