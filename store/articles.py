"""Articles and their hits: what a poll stores, and what backtests and `hits` read.

Recording an article writes, in one transaction, the article, its story
(store/stories.py) and the story index's rows (store/storyindex.py), its
hits and their planned deliveries (store/deliveries.py): all of it or none.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from rules.model import Article, Hit
from store import rows
from store.codec import dt, evidence_json, ts
from store.deliveries import insert_delivery
from store.model import Planned, Recorded, StoredHit, StoryJoin
from store.sql import Database, Tables, marks
from store.stories import join_story
from store.storyindex import index_story

_CHUNK = 500  # ids per IN list: below every engine's parameter limit


class Articles(Tables):
    """Articles, hits and their recording (a table unit of the store)."""

    def known_articles(self, ids: Sequence[str]) -> set[str]:
        """Which of these article ids are already stored."""
        found: set[str] = set()
        for i in range(0, len(ids), _CHUNK):
            chunk = list(ids[i : i + _CHUNK])
            found.update(
                r["id"]
                for r in self.db.query(
                    f"SELECT id FROM articles WHERE id IN ({marks(len(chunk))})", chunk
                )
            )
        return found

    def record_article(
        self,
        article: Article,
        hits: Sequence[tuple[Hit, Sequence[str]]],
        now: datetime,
    ) -> list[int]:
        """Store an article, its hits and one pending delivery per (hit, channel).

        One transaction: either all of it is stored or none. An article already
        stored is left as it is and nothing is added. Returns delivery ids.
        """
        planned = [(h, [Planned(c) for c in channels]) for h, channels in hits]
        return record(self.db, article, planned, now).delivery_ids

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

        With `join`, the article's event parts go into the story index and how it
        joined is kept. One transaction. An article already stored is left as it is
        and nothing is added.
        """
        return record(
            self.db, article, hits, now, fingerprint=fingerprint, story_id=story_id, join=join
        )

    def articles_since(self, since: datetime) -> Iterator[Article]:
        """Stored articles fetched at or after `since`, oldest first (read only)."""
        found = self.db.query(
            f"""SELECT {rows.ARTICLE_COLUMNS} FROM articles WHERE fetched_at >= ?
                ORDER BY fetched_at, id""",
            [ts(since)],
        )
        return (rows.article(r) for r in found)

    def hits(self, limit: int = 50, watch_id: str | None = None) -> list[StoredHit]:
        """The most recent hits, newest first."""
        where, args = ("WHERE h.watch_id = ?", [watch_id]) if watch_id else ("", [])
        found = self.db.query(
            f"""SELECT {rows.HIT_COLUMNS} FROM hits h JOIN articles a ON a.id = h.article_id
                {where} ORDER BY h.id DESC LIMIT ?""",
            [*args, limit],
        )
        return [rows.hit(r) for r in found]

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


def record(
    db: Database,
    article: Article,
    hits: Sequence[tuple[Hit, Sequence[Planned]]],
    now: datetime,
    *,
    fingerprint: int | None = None,
    story_id: int | None = None,
    join: StoryJoin | None = None,
) -> Recorded:
    """Store an article, its story, its hits and their planned deliveries: one transaction."""
    with db.atomic():
        cur = db.execute(
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
            new = story_id is None
            story_id = join_story(db, article.id, fingerprint, story_id, now)
            if join is not None:
                index_story(db, article.id, story_id, join, new)
        hit_ids: dict[str, int] = {}
        delivery_ids: list[int] = []
        for hit, plans in hits:
            hit_ids[hit.watch_id] = _insert_hit(db, article.id, hit, now)
            delivery_ids.extend(
                insert_delivery(db, hit_ids[hit.watch_id], plan, now, story_id) for plan in plans
            )
    return Recorded(story_id, hit_ids, delivery_ids)


def _insert_hit(db: Database, article_id: str, hit: Hit, now: datetime) -> int:
    return int(
        db.execute(
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
