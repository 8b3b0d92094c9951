"""What the web console reads and writes: paged hit lists, counts for charts, stories,
verdicts and mutes, over `store.sql.Database` (SQLite and PostgreSQL alike).

Every list is paged by key (`before` = the last id shown) and bounded by LIMIT;
full-text search is FTS5 on SQLite (`hit_fts`, rowid = hit id) and a GIN
`tsvector` index on PostgreSQL. Must not import `daemon`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from store.codec import ts
from store.sql import Database

VERDICTS = ("relevant", "irrelevant")
MUTE_KINDS = ("watch", "story", "actor")

_HIT = """h.id, h.watch_id, h.title AS watch_title, h.severity, h.created_at, h.evidence,
    h.condition, h.rule_file, a.id AS article_id, a.title, a.url, a.feed_url, a.feed_title,
    a.lang, a.published_at, a.story_id, v.verdict"""
_FROM = """hits h JOIN articles a ON a.id = h.article_id
    LEFT JOIN verdicts v ON v.hit_id = h.id"""


@dataclass(frozen=True, slots=True)
class HitFilter:
    """The filters of a hit list (every field optional)."""

    watch: str = ""
    actor: str = ""
    lang: str = ""
    feed: str = ""
    severity: str = ""
    verdict: str = ""  # relevant | irrelevant | none
    since: str = ""  # YYYY-MM-DD (UTC), inclusive
    until: str = ""  # YYYY-MM-DD (UTC), inclusive
    q: str = ""  # full-text search
    story: int | None = None

    def query(self) -> dict[str, str]:
        """The non-empty filters, as URL query parameters."""
        return {k: str(v) for k in self.__slots__ if (v := getattr(self, k)) not in ("", None)}


@dataclass(frozen=True, slots=True)
class Mute:
    """A watch, story or actor that alerts nothing until `until`."""

    id: int
    kind: str
    target: str
    until: str
    reason: str | None
    created_at: str


@dataclass
class Overview:
    """The numbers of the console's first page."""

    per_day: dict[str, dict[str, int]] = field(default_factory=dict)  # series -> day -> n
    last_hour: dict[str, int] = field(default_factory=dict)
    baseline_hour: dict[str, float] = field(default_factory=dict)
    top_stories: list[dict[str, Any]] = field(default_factory=list)
    feeds: list[dict[str, Any]] = field(default_factory=list)  # failing and silent
    outbox: dict[str, int] = field(default_factory=dict)
    dead: list[dict[str, Any]] = field(default_factory=list)


class ConsoleStore:
    """The console's queries on one connection (`postgres`: the dialect to speak)."""

    def __init__(self, db: Database, postgres: bool = False) -> None:
        self.db = db
        self.postgres = postgres

    # -- hits -----------------------------------------------------------------

    def _where(self, f: HitFilter) -> tuple[list[str], list[Any]]:
        where: list[str] = []
        args: list[Any] = []
        for column, value in (
            ("h.watch_id", f.watch),
            ("a.lang", f.lang),
            ("a.feed_url", f.feed),
            ("h.severity", f.severity),
        ):
            if value:
                where.append(f"{column} = ?")
                args.append(value)
        if f.actor:
            # Evidence is JSON: {"actors": ["RUS", ...]}; the id is quoted there.
            where.append("h.evidence LIKE ?")
            args.append(f'%"{f.actor.replace("%", "").replace("_", "")}"%')
        if f.verdict == "none":
            where.append("v.verdict IS NULL")
        elif f.verdict:
            where.append("v.verdict = ?")
            args.append(f.verdict)
        if f.since:
            where.append("h.created_at >= ?")
            args.append(f.since)
        if f.until:
            where.append("h.created_at < ?")
            args.append(f.until + "T99")  # the whole day: every time of it sorts before
        if f.story is not None:
            where.append("a.story_id = ?")
            args.append(f.story)
        if f.q:
            if self.postgres:
                where.append(
                    "to_tsvector('simple', coalesce(a.title, '') || ' ' || coalesce(a.text, ''))"
                    " @@ plainto_tsquery('simple', ?)"
                )
                args.append(f.q)
            else:
                where.append("h.id IN (SELECT rowid FROM hit_fts WHERE hit_fts MATCH ?)")
                args.append(fts_query(f.q))
        return where, args

    def hits(
        self, f: HitFilter, limit: int = 50, before: int | None = None
    ) -> list[dict[str, Any]]:
        """A page of hits matching `f`, newest first, ids below `before`."""
        where, args = self._where(f)
        if before is not None:
            where.append("h.id < ?")
            args.append(before)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        return list(
            self.db.query(
                f"SELECT {_HIT} FROM {_FROM} {clause} ORDER BY h.id DESC LIMIT ?",
                [*args, limit],
            )
        )

    def hit(self, hit_id: int) -> dict[str, Any] | None:
        """One hit with its article, or None."""
        rows = list(self.db.query(f"SELECT {_HIT} FROM {_FROM} WHERE h.id = ?", [hit_id]))
        return rows[0] if rows else None

    def story_hits(self, story_id: int, limit: int = 200) -> list[dict[str, Any]]:
        """Every hit of a story's articles, oldest first."""
        return list(
            self.db.query(
                f"SELECT {_HIT} FROM {_FROM} WHERE a.story_id = ? ORDER BY h.id LIMIT ?",
                [story_id, limit],
            )
        )

    def story_articles(self, story_id: int, limit: int = 200) -> list[dict[str, Any]]:
        """The articles of a story, across feeds and languages, oldest first."""
        return list(
            self.db.query(
                """SELECT id, title, url, feed_url, feed_title, lang, published_at, fetched_at
                   FROM articles WHERE story_id = ? ORDER BY fetched_at LIMIT ?""",
                [story_id, limit],
            )
        )

    def alerts(self, hit_ids: Sequence[int]) -> list[dict[str, Any]]:
        """The deliveries of these hits with their status."""
        if not hit_ids:
            return []
        marks = ",".join("?" * len(hit_ids))
        return list(
            self.db.query(
                f"""SELECT id, hit_id, channel, kind, status, attempts, last_error, created_at,
                           sent_at FROM deliveries WHERE hit_id IN ({marks}) ORDER BY id""",
                list(hit_ids),
            )
        )

    # -- charts ---------------------------------------------------------------

    def per_day(self, since: datetime, watch: str = "") -> dict[str, dict[str, int]]:
        """Hits per watch per UTC day since `since`."""
        extra, args = ("AND watch_id = ?", [watch]) if watch else ("", [])
        out: dict[str, dict[str, int]] = {}
        for r in self.db.query(
            f"""SELECT watch_id, substr(created_at, 1, 10) AS day, count(*) AS n FROM hits
                WHERE created_at >= ? {extra} GROUP BY watch_id, substr(created_at, 1, 10)""",
            [ts(since), *args],
        ):
            out.setdefault(r["watch_id"], {})[r["day"]] = r["n"]
        return out

    def per_hour_by_watch(self, since: datetime) -> dict[str, int]:
        """Hits per watch since `since`."""
        return {
            r["watch_id"]: r["n"]
            for r in self.db.query(
                "SELECT watch_id, count(*) AS n FROM hits WHERE created_at >= ? GROUP BY watch_id",
                [ts(since)],
            )
        }

    def actor_counts(self, since: datetime, limit: int = 5000) -> dict[str, dict[str, int]]:
        """Hits per actor and per actor pair per day, from the evidence of recent hits."""
        import json

        out: dict[str, dict[str, int]] = {}
        for r in self.db.query(
            """SELECT substr(created_at, 1, 10) AS day, evidence FROM hits
               WHERE created_at >= ? ORDER BY id DESC LIMIT ?""",
            [ts(since), limit],
        ):
            actors = sorted({a for e in json.loads(r["evidence"]) for a in e.get("actors", [])})
            keys = actors + [f"{a}+{b}" for i, a in enumerate(actors) for b in actors[i + 1 :]]
            for k in keys:
                day = out.setdefault(k, {})
                day[r["day"]] = day.get(r["day"], 0) + 1
        return out

    def overview(self, now: datetime) -> Overview:
        """Charts, spikes, top stories, troubled feeds and the outbox."""
        o = Overview()
        o.per_day = self.per_day(now - timedelta(days=14))
        o.last_hour = self.per_hour_by_watch(now - timedelta(hours=1))
        week = self.per_hour_by_watch(now - timedelta(days=7))
        o.baseline_hour = {w: n / (7 * 24) for w, n in week.items()}
        o.top_stories = list(
            self.db.query(
                """SELECT a.story_id, min(a.title) AS title, count(DISTINCT a.id) AS articles,
                          count(DISTINCT a.feed_url) AS feeds, count(*) AS hits
                   FROM hits h JOIN articles a ON a.id = h.article_id
                   WHERE h.created_at >= ? AND a.story_id IS NOT NULL
                   GROUP BY a.story_id ORDER BY count(*) DESC, a.story_id DESC LIMIT 10""",
                [ts(now - timedelta(days=1))],
            )
        )
        o.feeds = list(
            self.db.query(
                """SELECT url, title, status, error_class, error, health, last_success_at
                   FROM feeds WHERE status = 'failing' OR health IS NOT NULL
                   ORDER BY url LIMIT 50"""
            )
        )
        o.outbox = {
            r["status"]: r["n"]
            for r in self.db.query("SELECT status, count(*) AS n FROM deliveries GROUP BY status")
        }
        o.dead = self.deliveries("dead", limit=10)
        return o

    # -- feeds, deliveries ------------------------------------------------------

    def feeds(self, limit: int = 500) -> list[dict[str, Any]]:
        """Feeds with their health and schedule."""
        return list(
            self.db.query(
                """SELECT url, title, status, error_class, error, error_count, health,
                          items_per_day, last_success_at, last_new_at, next_poll_at
                   FROM feeds ORDER BY url LIMIT ?""",
                [limit],
            )
        )

    def feed_days(self, since: datetime) -> dict[str, dict[str, int]]:
        """Articles per feed per day since `since` (the sparklines)."""
        out: dict[str, dict[str, int]] = {}
        for r in self.db.query(
            """SELECT feed_url, substr(fetched_at, 1, 10) AS day, count(*) AS n FROM articles
               WHERE fetched_at >= ? GROUP BY feed_url, substr(fetched_at, 1, 10)""",
            [ts(since)],
        ):
            out.setdefault(r["feed_url"], {})[r["day"]] = r["n"]
        return out

    def deliveries(
        self, status: str = "", limit: int = 100, before: int | None = None
    ) -> list[dict[str, Any]]:
        """Deliveries, newest first, of one status or all."""
        where: list[str] = []
        args: list[Any] = []
        if status:
            where.append("d.status = ?")
            args.append(status)
        if before is not None:
            where.append("d.id < ?")
            args.append(before)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        return list(
            self.db.query(
                f"""SELECT d.id, d.hit_id, d.channel, d.kind, d.status, d.attempts, d.last_error,
                           d.created_at, d.sent_at, h.watch_id
                    FROM deliveries d JOIN hits h ON h.id = d.hit_id {clause}
                    ORDER BY d.id DESC LIMIT ?""",
                [*args, limit],
            )
        )

    def destinations(self) -> list[dict[str, Any]]:
        """Channels the outbox stopped sending to, with the reason."""
        return list(self.db.query("SELECT channel, status, reason, changed_at FROM destinations"))

    # -- verdicts ---------------------------------------------------------------

    def set_verdict(self, hit_id: int, verdict: str, now: datetime) -> None:
        """Mark a hit relevant or irrelevant (again: the new verdict wins)."""
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}")
        with self.db.atomic():
            self.db.execute(
                """INSERT INTO verdicts (hit_id, verdict, decided_at) VALUES (?, ?, ?)
                   ON CONFLICT (hit_id) DO UPDATE SET verdict = excluded.verdict,
                       decided_at = excluded.decided_at""",
                [hit_id, verdict, ts(now)],
            )

    def precision(self) -> list[dict[str, Any]]:
        """Per watch: hits judged relevant and irrelevant."""
        return list(
            self.db.query(
                """SELECT h.watch_id,
                          sum(CASE WHEN v.verdict = 'relevant' THEN 1 ELSE 0 END) AS relevant,
                          sum(CASE WHEN v.verdict = 'irrelevant' THEN 1 ELSE 0 END) AS irrelevant
                   FROM verdicts v JOIN hits h ON h.id = v.hit_id
                   GROUP BY h.watch_id ORDER BY h.watch_id"""
            )
        )

    def judged_evidence(self, watch_id: str, limit: int = 500) -> list[dict[str, Any]]:
        """The evidence of a watch's judged hits, with their verdict."""
        return list(
            self.db.query(
                """SELECT v.verdict, h.evidence FROM verdicts v JOIN hits h ON h.id = v.hit_id
                   WHERE h.watch_id = ? ORDER BY v.hit_id DESC LIMIT ?""",
                [watch_id, limit],
            )
        )

    # -- mutes ------------------------------------------------------------------

    def add_mute(
        self, kind: str, target: str, until: datetime, now: datetime, reason: str | None = None
    ) -> None:
        """Mute a watch, a story or an actor until `until`."""
        if kind not in MUTE_KINDS:
            raise ValueError(f"mute kind must be one of {', '.join(MUTE_KINDS)}")
        with self.db.atomic():
            self.db.execute(
                """INSERT INTO mutes (kind, target, until, reason, created_at)
                   VALUES (?, ?, ?, ?, ?)""",
                [kind, target, ts(until), reason, ts(now)],
            )

    def remove_mute(self, mute_id: int) -> None:
        """End a mute now."""
        with self.db.atomic():
            self.db.execute("DELETE FROM mutes WHERE id = ?", [mute_id])

    def mutes(self, now: datetime) -> list[Mute]:
        """The mutes in force at `now`."""
        return active_mutes(self.db, now)


def active_mutes(db: Database, now: datetime) -> list[Mute]:
    """The mutes in force at `now`, soonest to end first."""
    return [
        Mute(r["id"], r["kind"], r["target"], r["until"], r["reason"], r["created_at"])
        for r in db.query(
            """SELECT id, kind, target, until, reason, created_at FROM mutes
               WHERE until > ? ORDER BY until, id""",
            [ts(now)],
        )
    ]


def is_muted(
    mutes: Sequence[Mute], watch_id: str, story_id: int | None, actors: Sequence[str]
) -> Mute | None:
    """The mute that silences this hit, if any."""
    for m in mutes:
        if (
            (m.kind == "watch" and m.target == watch_id)
            or (m.kind == "story" and story_id is not None and m.target == str(story_id))
            or (m.kind == "actor" and m.target in actors)
        ):
            return m
    return None


def fts_query(text: str) -> str:
    """Free text as an FTS5 query: each word a quoted term (no operators), all required."""
    words = [w.replace('"', "") for w in text.split()]
    return " ".join(f'"{w}"' for w in words if w) or '""'
