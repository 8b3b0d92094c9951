"""What the web console reads and writes: paged hit lists, counts for charts, stories,
verdicts and mutes (a table unit of the store, store/base.py).

Every list is paged by key (`before` = the last id shown) and bounded by LIMIT.
Full-text search and the day of a time are the dialect's words (store/sql.py):
FTS5 on SQLite (`hit_fts`, rowid = hit id), a GIN `tsvector` index of
`hit_search` (hit id, words) on PostgreSQL. Rows are dicts by column name; their
times (`*_at`, `until`) are aware UTC datetimes on both engines. Must not import `daemon`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from rules.model import Article
from store import rows
from store.codec import dt, ts
from store.model import MUTE_KINDS, VERDICTS, HitFilter, Mute, Overview
from store.sql import Tables, marks

_HIT = """h.id, h.watch_id, h.title AS watch_title, h.severity, h.created_at, h.evidence,
    h.condition, h.rule_file, a.id AS article_id, a.title, a.url, a.feed_url, a.feed_title,
    a.lang, a.published_at, a.story_id, v.verdict"""
_JOINS = """JOIN articles a ON a.id = h.article_id
    LEFT JOIN verdicts v ON v.hit_id = h.id"""
_FROM = f"hits h {_JOINS}"
# A search with a watch, day range or story is read among that filter's hits when they
# are at most this many below the page (Console._search_among), else through its index.
AMONG = 20000


def _day_start(day: str) -> datetime | None:
    """Midnight UTC of a YYYY-MM-DD day, or None if it is not one."""
    try:
        return datetime.combine(date.fromisoformat(day), datetime.min.time(), UTC)
    except ValueError:
        return None


def _times(row: dict[str, Any]) -> dict[str, Any]:
    """A row with its times (`*_at`, `until`) as aware UTC datetimes, whatever the engine."""
    return {k: dt(v) if k.endswith("_at") or k == "until" else v for k, v in row.items()}


class Console(Tables):
    """The console's queries (a table unit of the store)."""

    def _listed(
        self, sql: str, params: Sequence[Any] = (), *, once: bool = False
    ) -> list[dict[str, Any]]:
        """Rows of `sql`; `once`: planned for these values every time it runs (unprepared
        on PostgreSQL, store/pgdb.py: `query_once`), where a plan made for any values
        would walk every hit for some of them."""
        query = getattr(self.db, "query_once", self.db.query) if once else self.db.query
        return [_times(r) for r in query(sql, list(params))]

    # -- hits -----------------------------------------------------------------

    def _hit_where(self, f: HitFilter) -> tuple[list[str], list[Any]]:
        where, args = self._scanned_where(f)
        indexed, more = self._indexed_where(f)
        return [*where, *indexed], [*args, *more]

    def _scanned_where(self, f: HitFilter) -> tuple[list[str], list[Any]]:
        """The parts of `f` tested hit by hit: language, feed, severity, actor, verdict."""
        where: list[str] = []
        args: list[Any] = []
        for column, value in (
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
        return where, args

    def _indexed_where(self, f: HitFilter) -> tuple[list[str], list[Any]]:
        """The parts of `f` an index of their own narrows: watch, day range and story."""
        where: list[str] = []
        args: list[Any] = []
        if f.watch:
            where.append("h.watch_id = ?")
            args.append(f.watch)
        if (since := _day_start(f.since)) is not None:
            where.append("h.created_at >= ?")
            args.append(ts(since))
        if (until := _day_start(f.until)) is not None:
            where.append("h.created_at < ?")  # the whole day
            args.append(ts(until + timedelta(days=1)))
        if f.story is not None:
            where.append("a.story_id = ?")
            args.append(f.story)
        return where, args

    def _top(self, before: int | None) -> int:
        """`before`, or one above the newest hit's id."""
        if before is not None:
            return before
        row = self.db.execute("SELECT max(id) FROM hits").fetchone()
        return int(row[0] or 0) + 1

    def hit_floor(self, f: HitFilter, before: int | None, window: int) -> int | None:
        """The lowest hit id a page of `f` below `before` reads, when no index narrows `f`.

        Such a filter is tested hit by hit, newest first: one that matches few or none
        would read every hit (1.5 s for 1,000,000). Its page reads at most `window`
        hits; the next page goes on from there. With a search, the hits come from its
        index: every one with the words below `before` when there are at most `window`
        of them (a rare word: its page reads them all), else the same window of hits
        (a common word with a language no hit has read all 1,000,000 of them: 1.7 s
        on SQLite, 7 s on PostgreSQL). None: an index narrows `f`, or the page reads
        to the first hit.
        """
        if not f.is_scanned():
            return None
        floor = self._top(before) - window
        if floor <= 1:
            return None
        if f.q:
            top = before if before is not None else floor + window
            found = self.db.execute(self.dialect.search_count, [search_terms(f.q), top, window + 1])
            if int(found.fetchone()[0]) <= window:
                return None
        return floor

    def hit_page(
        self,
        f: HitFilter,
        limit: int = 50,
        before: int | None = None,
        floor: int | None = None,
        recent: int | None = None,
        among: int = AMONG,
    ) -> list[dict[str, Any]]:
        """A page of hits matching `f`, newest first, ids below `before` (and from `floor`).

        `recent`: how many of the newest hits a search tests one by one before it reads
        the older ones through the index, where the dialect has no search table
        (store/sql.py: `Dialect.search_window`, the default). `among`: how many hits
        below `before` a watch, day range or story may have for a search to be read
        among them (`_search_among`).
        """
        where, args = self._hit_where(f)
        if not f.q:
            if floor is not None:
                where, args = [*where, "h.id >= ?"], [*args, floor]
            return self._hits(_FROM, "h.id", where, args, before, limit)
        terms = search_terms(f.q)
        if (found := self._search_among(f, terms, limit, before, among)) is not None:
            return found
        if fts := self.dialect.search_table:
            # The full-text index drives the page: its rowids (hit ids) newest first, read
            # until the page is full; 1.4 ms against 134 ms for 300,000 matching hits.
            # The floor is put on the rowid, where FTS5 stops its walk (on h.id it would
            # test every older match).
            source = f"{fts} JOIN hits h ON h.id = {fts}.rowid {_JOINS}"
            where, args = [*where, self.dialect.search], [*args, terms]
            if floor is not None:
                where, args = [*where, f"{fts}.rowid >= ?"], [*args, floor]
            return self._hits(source, f"{fts}.rowid", where, args, before, limit)
        # The newest `recent` hits one by one, then the older ones through the index;
        # a window (`floor`: a common word, hit_floor) one by one to its end, since the
        # index's list of the word's every hit is what a window is there to avoid.
        top = self._top(before)
        split = floor if floor is not None else top - (recent or self.dialect.search_window)
        rows = self._hits(
            _FROM,
            "h.id",
            [*where, "h.id >= ?", self.dialect.search_recent],
            [*args, split, terms],
            top,
            limit,
        )
        if len(rows) < limit and floor is None and split > 1:
            where, args = [*where, self.dialect.search], [*args, terms]
            rows += self._hits(_FROM, "h.id", where, args, split, limit - len(rows))
        return rows

    def _search_among(
        self, f: HitFilter, terms: str, limit: int, before: int | None, among: int
    ) -> list[dict[str, Any]] | None:
        """A page of a search with a watch, day range or story that has at most `among`
        hits below `before`, read among them; None when it has more (or `f` has none).

        Those hits are counted through their own index, up to `among` + 1, with the
        lowest and highest of their ids. When they are few the search is read among
        them in one set operation (store/sql.py: `Dialect.search_among`): SQLite walks
        the word's FTS5 list newest first from the highest of them to the lowest,
        testing each against their set (a MATCH per hit would read the word's whole
        list for each: 550 ms for a day's 2,740 hits); PostgreSQL tests their words
        one by one. Driven by the search's index instead, a common word with a watch
        that has no hit read all 1,000,000 of them. Both statements are planned for
        their values every time (`_listed`: `once`): a plan for any watch walked every
        hit (1.2 s) once psycopg prepared it.
        """
        indexed, iargs = self._indexed_where(f)
        if not indexed:
            return None
        source = "hits h"
        if f.story is not None:
            source += " JOIN articles a ON a.id = h.article_id"
        ids = f"SELECT h.id FROM {source} WHERE {' AND '.join(indexed)} AND h.id < ?"
        iargs = [*iargs, self._top(before)]
        [span] = self._listed(
            f"SELECT count(*) AS n, min(id) AS lo, max(id) AS hi FROM ({ids} LIMIT ?) m",
            [*iargs, among + 1],
            once=True,
        )
        if int(span["n"]) > among:
            return None
        if not span["n"]:
            return []
        where, args = self._scanned_where(f)
        where = [*where, self.dialect.search_among.format(ids=ids)]
        args = [*args, terms, *iargs]
        if fts := self.dialect.search_table:
            order = f"{fts}.rowid"
            source = f"{fts} CROSS JOIN hits h ON h.id = {order} {_JOINS}"
        else:
            source, order = _FROM, "h.id"
        where, args = [*where, f"{order} >= ?"], [*args, int(span["lo"])]
        return self._hits(source, order, where, args, int(span["hi"]) + 1, limit, once=True)

    def _hits(
        self,
        source: str,
        order: str,
        where: list[str],
        args: list[Any],
        before: int | None,
        limit: int,
        *,
        once: bool = False,
    ) -> list[dict[str, Any]]:
        """The hits of `source` passing every one of `where`, by `order` newest first."""
        if before is not None:
            where, args = [*where, f"{order} < ?"], [*args, before]
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        return self._listed(
            f"SELECT {_HIT} FROM {source} {clause} ORDER BY {order} DESC LIMIT ?",
            [*args, limit],
            once=once,
        )

    def hit_detail(self, hit_id: int) -> dict[str, Any] | None:
        """One hit with its article and verdict, or None."""
        found = self._listed(f"SELECT {_HIT} FROM {_FROM} WHERE h.id = ?", [hit_id])
        return found[0] if found else None

    def story_hits(self, story_id: int, limit: int = 200) -> list[dict[str, Any]]:
        """Every hit of a story's articles, oldest first."""
        return self._listed(
            f"SELECT {_HIT} FROM {_FROM} WHERE a.story_id = ? ORDER BY h.id LIMIT ?",
            [story_id, limit],
        )

    def hit_alerts(self, hit_ids: Sequence[int]) -> list[dict[str, Any]]:
        """The deliveries of these hits with their status."""
        if not hit_ids:
            return []
        return self._listed(
            f"""SELECT id, hit_id, channel, kind, status, attempts, last_error, created_at,
                       sent_at FROM deliveries WHERE hit_id IN ({marks(len(hit_ids))})
                ORDER BY id""",
            list(hit_ids),
        )

    def article_text(self, ref: str) -> str | None:
        """Title and text of the article with this id or URL, or None."""
        for r in self.db.query(
            "SELECT title, text FROM articles WHERE id = ? OR url = ? LIMIT 1", [ref, ref]
        ):
            return f"{r['title'] or ''}\n\n{r['text'] or ''}"
        return None

    def recent_articles(self, since: datetime, limit: int = 5000) -> list[Article]:
        """Up to `limit` articles fetched since `since`, newest first (a backtest's input)."""
        return [
            rows.article(r)
            for r in self.db.query(
                f"""SELECT {rows.ARTICLE_COLUMNS} FROM articles WHERE fetched_at >= ?
                    ORDER BY fetched_at DESC LIMIT ?""",
                [ts(since), limit],
            )
        ]

    # -- charts ---------------------------------------------------------------

    def hits_per_day(self, since: datetime, watch: str = "") -> dict[str, dict[str, int]]:
        """Hits per watch per UTC day since `since`."""
        extra, args = ("AND watch_id = ?", [watch]) if watch else ("", [])
        day = self.dialect.day.format("created_at")
        out: dict[str, dict[str, int]] = {}
        for r in self.db.query(
            f"""SELECT watch_id, {day} AS day, count(*) AS n FROM hits
                WHERE created_at >= ? {extra} GROUP BY watch_id, {day}""",
            [ts(since), *args],
        ):
            out.setdefault(r["watch_id"], {})[r["day"]] = int(r["n"])
        return out

    def hits_by_watch(self, since: datetime) -> dict[str, int]:
        """Hits per watch since `since`."""
        return {
            r["watch_id"]: int(r["n"])
            for r in self.db.query(
                "SELECT watch_id, count(*) AS n FROM hits WHERE created_at >= ? GROUP BY watch_id",
                [ts(since)],
            )
        }

    def actor_counts(self, since: datetime, limit: int = 5000) -> dict[str, dict[str, int]]:
        """Hits per actor and per actor pair per day, from the evidence of recent hits."""
        out: dict[str, dict[str, int]] = {}
        for r in self.db.query(
            f"""SELECT {self.dialect.day.format("created_at")} AS day, evidence FROM hits
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
        o.per_day = self.hits_per_day(now - timedelta(days=14))
        o.last_hour = self.hits_by_watch(now - timedelta(hours=1))
        week = self.hits_by_watch(now - timedelta(days=7))
        o.baseline_hour = {w: n / (7 * 24) for w, n in week.items()}
        o.top_stories = self._listed(
            """SELECT a.story_id, min(a.title) AS title, count(DISTINCT a.id) AS articles,
                      count(DISTINCT a.feed_url) AS feeds, count(*) AS hits
               FROM hits h JOIN articles a ON a.id = h.article_id
               WHERE h.created_at >= ? AND a.story_id IS NOT NULL
               GROUP BY a.story_id ORDER BY count(*) DESC, a.story_id DESC LIMIT 10""",
            [ts(now - timedelta(days=1))],
        )
        o.feeds = self._listed(
            """SELECT url, title, status, error_class, error, health, last_success_at
               FROM feeds WHERE status = 'failing' OR health IS NOT NULL
               ORDER BY url LIMIT 50"""
        )
        o.outbox = {
            r["status"]: int(r["n"])
            for r in self.db.query("SELECT status, count(*) AS n FROM deliveries GROUP BY status")
        }
        o.dead = self.delivery_page("dead", limit=10)
        return o

    # -- feeds, deliveries ------------------------------------------------------

    def feed_days(self, since: datetime) -> dict[str, dict[str, int]]:
        """Articles per feed per day since `since` (the sparklines)."""
        day = self.dialect.day.format("fetched_at")
        out: dict[str, dict[str, int]] = {}
        for r in self.db.query(
            f"""SELECT feed_url, {day} AS day, count(*) AS n FROM articles
                WHERE fetched_at >= ? GROUP BY feed_url, {day}""",
            [ts(since)],
        ):
            out.setdefault(r["feed_url"], {})[r["day"]] = int(r["n"])
        return out

    def delivery_page(
        self, status: str = "", limit: int = 100, before: int | None = None
    ) -> list[dict[str, Any]]:
        """Deliveries, newest first, of one status or all, ids below `before`."""
        where: list[str] = []
        args: list[Any] = []
        if status:
            where.append("d.status = ?")
            args.append(status)
        if before is not None:
            where.append("d.id < ?")
            args.append(before)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        return self._listed(
            f"""SELECT d.id, d.hit_id, d.channel, d.kind, d.status, d.attempts, d.last_error,
                       d.created_at, d.sent_at, h.watch_id
                FROM deliveries d JOIN hits h ON h.id = d.hit_id {clause}
                ORDER BY d.id DESC LIMIT ?""",
            [*args, limit],
        )

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
        return [
            {**r, "relevant": int(r["relevant"]), "irrelevant": int(r["irrelevant"])}
            for r in self.db.query(
                """SELECT h.watch_id,
                          sum(CASE WHEN v.verdict = 'relevant' THEN 1 ELSE 0 END) AS relevant,
                          sum(CASE WHEN v.verdict = 'irrelevant' THEN 1 ELSE 0 END) AS irrelevant
                   FROM verdicts v JOIN hits h ON h.id = v.hit_id
                   GROUP BY h.watch_id ORDER BY h.watch_id"""
            )
        ]

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
        """The mutes in force at `now`, soonest to end first."""
        return [
            Mute(r["id"], r["kind"], r["target"], r["until"], r["reason"], r["created_at"])
            for r in self._listed(
                """SELECT id, kind, target, until, reason, created_at FROM mutes
                   WHERE until > ? ORDER BY until, id""",
                [ts(now)],
            )
        ]


def search_terms(text: str) -> str:
    """Free text as a search for all its words: each word quoted, so no operators.

    FTS5 reads it as a phrase per word; PostgreSQL's `plainto_tsquery` drops the
    quotes and ANDs the words.
    """
    words = [w.replace('"', "") for w in text.split()]
    return " ".join(f'"{w}"' for w in words if w) or '""'
