"""Schema migrations, applied in order and recorded in `_migrations`.

Append only: never edit a migration that may have been applied somewhere.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

Migration = Callable[[sqlite_utils.Database], None]


def m001_initial(db: sqlite_utils.Database) -> None:
    db.table("feeds").create(
        {
            "url": str,
            "title": str,
            "interval_s": int,
            "etag": str,
            "last_modified": str,
            "status": str,
            "last_polled_at": str,
            "last_success_at": str,
            "next_poll_at": str,
            "error_class": str,
            "error": str,
            "error_count": int,
            "added_at": str,
        },
        pk="url",
        defaults={"status": "new", "error_count": 0},
        not_null={"interval_s", "status", "error_count"},
    )
    db.table("articles").create(
        {
            "id": str,
            "feed_url": str,
            "guid": str,
            "url": str,
            "title": str,
            "text": str,
            "lang": str,
            "feed_title": str,
            "published_at": str,
            "fetched_at": str,
        },
        pk="id",
        not_null={"feed_url", "fetched_at"},
    )
    db.table("articles").create_index(["feed_url", "fetched_at"])
    db.table("hits").create(
        {
            "id": int,
            "article_id": str,
            "watch_id": str,
            "title": str,
            "severity": str,
            "condition": str,
            "evidence": str,  # JSON: list of {text, start, end, actors, mentions, terms}
            "rule_file": str,
            "rule_version": str,
            "created_at": str,
        },
        pk="id",
        not_null={"article_id", "watch_id", "evidence", "created_at"},
        foreign_keys=[("article_id", "articles", "id")],
    )
    db.table("hits").create_index(["article_id", "watch_id"], unique=True)
    db.table("hits").create_index(["watch_id", "created_at"])
    db.table("deliveries").create(
        {
            "id": int,
            "hit_id": int,
            "channel": str,
            "idempotency_key": str,
            "status": str,  # pending | sent | dead
            "attempts": int,
            "next_attempt_at": str,
            "claimed_until": str,
            "last_error": str,
            "created_at": str,
            "sent_at": str,
        },
        pk="id",
        defaults={"status": "pending", "attempts": 0},
        not_null={"hit_id", "channel", "idempotency_key", "status", "attempts", "created_at"},
        foreign_keys=[("hit_id", "hits", "id")],
    )
    db.table("deliveries").create_index(["hit_id", "channel"], unique=True)
    db.table("deliveries").create_index(["idempotency_key"], unique=True)
    db.table("deliveries").create_index(["status", "next_attempt_at"])


def m003_polling(db: sqlite_utils.Database) -> None:
    """Feed health, adaptive schedule, redirects; canonical links for article identity."""
    for column in (
        "origin TEXT NOT NULL DEFAULT 'config'",  # config | cli (who added the feed)
        "effective_url TEXT",  # where the feed lives now, after permanent redirects
        "poll_interval_s INTEGER",  # the adapted interval (interval_s is the configured base)
        "items_per_day REAL",  # estimated from the entries' dates
        "last_new_at TEXT",  # when a poll last found new entries
        "last_error_at TEXT",
        "error_since TEXT",  # first failure of the current run of failures
        "errors_total INTEGER NOT NULL DEFAULT 0",
        "health TEXT",  # the problem an operator notice was raised for: failing | silent
        "health_at TEXT",
    ):
        db.execute(f"ALTER TABLE feeds ADD COLUMN {column}")
    db.table("feeds").create_index(["next_poll_at", "url"])
    db.execute("ALTER TABLE articles ADD COLUMN canonical_url TEXT")
    db.table("articles").create_index(["feed_url", "canonical_url"])


def m002_alerts(db: sqlite_utils.Database) -> None:
    """Stories, destinations, and what the outbox needs for threads, digests, escalations."""
    for column in (
        "kind TEXT NOT NULL DEFAULT 'alert'",  # alert | update | escalation
        "story_id INTEGER",
        "parent_id INTEGER",  # the story's first alert on this channel (threads, In-Reply-To)
        "digest INTEGER NOT NULL DEFAULT 0",  # 1: held for the channel's next digest
        "remote_ref TEXT",  # what the receiver called it (Slack ts), for replies
    ):
        db.execute(f"ALTER TABLE deliveries ADD COLUMN {column}")
    db.execute("DROP INDEX idx_deliveries_hit_id_channel")
    db.table("deliveries").create_index(["hit_id", "channel", "kind"], unique=True)
    db.table("deliveries").create_index(["channel", "status", "id"])
    db.execute("ALTER TABLE articles ADD COLUMN story_id INTEGER")
    db.table("stories").create(
        {"id": int, "fingerprint": int, "article_id": str, "created_at": str, "seen_at": str},
        pk="id",
        not_null={"fingerprint", "created_at", "seen_at"},
    )
    db.table("stories").create_index(["seen_at"])
    db.table("destinations").create(
        {"channel": str, "status": str, "reason": str, "changed_at": str},
        pk="channel",
        not_null={"status", "changed_at"},
    )


def m004_housekeeping(db: sqlite_utils.Database) -> None:
    # Retention prunes by fetch time; metrics read newly sent deliveries by sent_at.
    db.table("articles").create_index(["fetched_at"], if_not_exists=True)
    db.table("deliveries").create_index(["status", "sent_at"], if_not_exists=True)


def m005_leases(db: sqlite_utils.Database) -> None:
    """Who holds a lease: feeds being polled, deliveries being sent (several daemons)."""
    db.execute("ALTER TABLE feeds ADD COLUMN leased_until TEXT")
    db.execute("ALTER TABLE feeds ADD COLUMN leased_by TEXT")
    db.execute("ALTER TABLE deliveries ADD COLUMN claimed_by TEXT")


def m006_story_index(db: sqlite_utils.Database) -> None:
    """Event parts of open stories (rules/fingerprint.py) and how each article joined."""
    db.execute(
        """CREATE TABLE story_parts (story_id INTEGER NOT NULL, part TEXT NOT NULL,
           first_at TEXT NOT NULL, last_at TEXT NOT NULL, PRIMARY KEY (story_id, part))"""
    )
    db.execute(
        """CREATE INDEX idx_story_parts_part_last_at
           ON story_parts (part, last_at, first_at, story_id)"""
    )
    db.execute("CREATE TABLE story_days (day TEXT PRIMARY KEY, stories INTEGER NOT NULL)")
    db.execute(
        """CREATE TABLE story_part_days (part TEXT NOT NULL, day TEXT NOT NULL,
           stories INTEGER NOT NULL, PRIMARY KEY (part, day))"""
    )
    db.execute(
        """CREATE TABLE story_joins (article_id TEXT PRIMARY KEY, story_id INTEGER NOT NULL,
           method TEXT NOT NULL, score REAL, shared TEXT)"""
    )


MIGRATIONS: list[tuple[str, Migration]] = [
    ("001_initial", m001_initial),
    ("002_alerts", m002_alerts),
    ("003_polling", m003_polling),
    ("004_housekeeping", m004_housekeeping),
    ("005_leases", m005_leases),
    ("006_story_index", m006_story_index),
]


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply every migration not yet applied, each in its own transaction."""
    if "_migrations" not in db.table_names():
        db.table("_migrations").create({"name": str, "applied_at": str}, pk="name")
    done = {row["name"] for row in db.table("_migrations").rows}
    applied = []
    for name, step in MIGRATIONS:
        if name in done:
            continue
        with db.atomic():
            step(db)
            db.execute(
                "INSERT INTO _migrations (name, applied_at) VALUES (?, datetime('now'))", [name]
            )
        applied.append(name)
    return applied
