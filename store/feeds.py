"""Feeds in the store: the schedule, poll results, health, and operator notices.

The store is the source of truth for which feeds exist. Feeds from the config
file are synced into it (origin `config`; dropped from the config, they become
`removed` and are not polled); feeds added with `wirewatch feeds add` or
`feeds import` have origin `cli` and stay until removed there.

Operator notices (a feed failing for too long, silent, retired) go through the
same outbox as alerts: a notice is a synthetic article (id `notice:...`) with
one hit of the watch `wirewatch:feed-health`, and one pending delivery per
channel, written in one transaction. The delivery worker, retries, dead
letters and `deliveries` listing then apply to notices unchanged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime

from rules.model import Article, Hit
from store.articles import record
from store.codec import ts
from store.model import FeedState, Lease, Planned, PollOutcome
from store.rows import feed_state
from store.sql import Tables, marks

HEALTH_WATCH = "wirewatch:feed-health"
INACTIVE = ("retired", "removed")


class Feeds(Tables):
    """Feeds, their schedule and health (a table unit of the store)."""

    def sync_feeds(self, feeds: Iterable[tuple[str, int]], now: datetime) -> None:
        """Make the config's feeds (url, interval_s) present and active; others `removed`."""
        urls: list[str] = []
        with self.db.atomic():
            for url, interval_s in feeds:
                urls.append(url)
                self.db.execute(
                    """INSERT INTO feeds (url, interval_s, status, error_count, added_at,
                           next_poll_at, origin)
                       VALUES (?, ?, 'new', 0, ?, ?, 'config')
                       ON CONFLICT(url) DO UPDATE SET interval_s = excluded.interval_s,
                           origin = 'config',
                           status = CASE WHEN feeds.status = 'removed' THEN 'new'
                                    ELSE feeds.status END""",
                    [url, interval_s, ts(now), ts(now)],
                )
            keep = f"AND url NOT IN ({marks(len(urls))})" if urls else ""
            self.db.execute(
                f"""UPDATE feeds SET status = 'removed'
                    WHERE origin = 'config' AND status != 'retired' {keep}""",
                urls,
            )

    def add_feed(self, url: str, interval_s: int, now: datetime, title: str | None = None) -> bool:
        """Add a feed (origin `cli`), or bring back a retired or removed one; False: known."""
        with self.db.atomic():
            row = self.feed(url)
            if row is None:
                self.db.execute(
                    """INSERT INTO feeds (url, interval_s, status, error_count, added_at,
                           next_poll_at, origin, title)
                       VALUES (?, ?, 'new', 0, ?, ?, 'cli', ?)""",
                    [url, interval_s, ts(now), ts(now), title],
                )
                return True
            if row.status in INACTIVE:
                self.db.execute(
                    """UPDATE feeds SET status = 'new', next_poll_at = ?, error_count = 0,
                           error_since = NULL, health = NULL WHERE url = ?""",
                    [ts(now), url],
                )
                return True
        return False

    def feed(self, url: str) -> FeedState | None:
        """The stored state of one feed."""
        rows = list(self.db.query("SELECT * FROM feeds WHERE url = ?", [url]))
        return feed_state(rows[0]) if rows else None

    def feeds(self, active: bool = False) -> list[FeedState]:
        """Every feed (only those polled, when `active`), ordered by URL."""
        where = "WHERE status NOT IN ('retired', 'removed')" if active else ""
        return [feed_state(r) for r in self.db.query(f"SELECT * FROM feeds {where} ORDER BY url")]

    def due_feeds(
        self,
        now: datetime,
        limit: int = 1000,
        after: FeedState | None = None,
        lease: Lease | None = None,
    ) -> list[FeedState]:
        """Feeds whose next poll is due, most overdue first, from after `after` (a cursor).

        Retired and removed feeds are never due. With a `lease`, the feeds returned
        are leased to its owner until its expiry (record_poll ends the lease), and
        feeds another daemon holds an unexpired lease on are not due.
        """
        args: list[str | int | None] = [ts(now)]
        after_cursor = ""
        if after is not None:
            after_cursor = "AND (next_poll_at, url) > (?, ?)"
            args += [ts(after.next_poll_at), after.url]
        due = f"""SELECT {{what}} FROM feeds WHERE status NOT IN ('retired', 'removed')
               AND next_poll_at <= ? {after_cursor} {{free}}
               ORDER BY next_poll_at, url LIMIT ?"""
        if lease is None:
            rows = list(self.db.query(due.format(what="*", free=""), [*args, limit]))
        else:
            free = "AND (leased_until IS NULL OR leased_until <= ?)"
            with self.db.atomic():
                rows = list(
                    self.db.query(
                        f"""UPDATE feeds SET leased_until = ?, leased_by = ? WHERE url IN (
                            {due.format(what="url", free=free)}{self.dialect.skip_locked})
                            RETURNING *""",
                        [ts(lease.until), lease.owner, *args, ts(now), limit],
                    )
                )
            rows.sort(key=lambda r: (r["next_poll_at"], r["url"]))
        return [feed_state(r) for r in rows]

    def release_feeds(self, owner: str) -> int:
        """End every feed lease `owner` holds (on shutdown): others may poll them at once."""
        with self.db.atomic():
            return int(
                self.db.execute(
                    "UPDATE feeds SET leased_until = NULL, leased_by = NULL WHERE leased_by = ?",
                    [owner],
                ).rowcount
            )

    def record_poll(self, url: str, outcome: PollOutcome) -> None:
        """Record one poll's result on its feed."""
        at, state = ts(outcome.at), outcome.state
        with self.db.atomic():
            if state == "ok":
                self.db.execute(
                    """UPDATE feeds SET status = 'ok', last_polled_at = ?, last_success_at = ?,
                           leased_until = NULL, leased_by = NULL,
                           next_poll_at = ?, etag = COALESCE(?, etag),
                           last_modified = COALESCE(?, last_modified),
                           title = COALESCE(?, title), error_count = 0, error_since = NULL,
                           poll_interval_s = COALESCE(?, poll_interval_s),
                           items_per_day = COALESCE(?, items_per_day),
                           last_new_at = CASE WHEN ? > 0 OR last_new_at IS NULL THEN ?
                                         ELSE last_new_at END,
                           effective_url = COALESCE(?, effective_url)
                       WHERE url = ?""",
                    [
                        *(at, at, ts(outcome.next_poll_at), outcome.etag, outcome.last_modified),
                        *(outcome.title, outcome.interval_s, outcome.items_per_day),
                        *(outcome.new_items, at, outcome.moved_to, url),
                    ],
                )
                return
            counted = state == "failing"
            self.db.execute(
                """UPDATE feeds SET status = ?, last_polled_at = ?, next_poll_at = ?,
                       leased_until = NULL, leased_by = NULL,
                       error_class = ?, error = ?, last_error_at = ?,
                       error_count = error_count + ?, errors_total = errors_total + ?,
                       error_since = CASE WHEN ? = 1 THEN COALESCE(error_since, ?)
                                     ELSE error_since END,
                       effective_url = COALESCE(?, effective_url)
                   WHERE url = ?""",
                [
                    *(state, at, ts(outcome.next_poll_at), outcome.error_class, outcome.error),
                    *(at, int(counted), int(counted), int(state != "retired"), at),
                    *(outcome.moved_to, url),
                ],
            )

    def set_health(self, url: str, health: str | None, at: datetime) -> None:
        """Note which problem an operator notice is out for (None: healthy again)."""
        with self.db.atomic():
            self.db.execute(
                "UPDATE feeds SET health = ?, health_at = ? WHERE url = ?", [health, ts(at), url]
            )

    # -- article identity ---------------------------------------------------

    def known_links(self, feed_url: str, links: Sequence[str]) -> set[str]:
        """Which of these canonical links already belong to an article of this feed."""
        found: set[str] = set()
        wanted = [link for link in links if link]
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            found.update(
                r["canonical_url"]
                for r in self.db.query(
                    f"""SELECT canonical_url FROM articles
                        WHERE feed_url = ? AND canonical_url IN ({marks(len(chunk))})""",
                    [feed_url, *chunk],
                )
            )
        return found

    def set_canonical_links(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Store (article id, canonical link) pairs."""
        with self.db.atomic():
            for article_id, link in pairs:
                if link:
                    self.db.execute(
                        "UPDATE articles SET canonical_url = ? WHERE id = ?", [link, article_id]
                    )

    # -- operator notices ---------------------------------------------------

    def record_notice(
        self,
        feed_url: str,
        *,
        title: str,
        text: str,
        channels: Sequence[str],
        now: datetime,
        severity: str = "high",
    ) -> list[int]:
        """Write an operator notice about a feed into the outbox; returns delivery ids."""
        key = hashlib.sha256(f"{feed_url}\n{title}\n{ts(now)}".encode()).hexdigest()[:24]
        article = Article(
            id=f"notice:{key}",
            feed_url=feed_url,
            url=feed_url,
            title=title,
            text=text,
            published_at=now,
        )
        hit = Hit(HEALTH_WATCH, article.id, (), severity=severity, title=title, condition=text)
        planned = [Planned(c) for c in channels]
        return record(self.db, article, [(hit, planned)], now).delivery_ids
