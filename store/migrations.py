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


def m004_housekeeping(db: sqlite_utils.Database) -> None:
    # Retention prunes by fetch time; metrics read newly sent deliveries by sent_at.
    db.table("articles").create_index(["fetched_at"], if_not_exists=True)
    db.table("deliveries").create_index(["status", "sent_at"], if_not_exists=True)


MIGRATIONS: list[tuple[str, Migration]] = [
    ("001_initial", m001_initial),
    ("004_housekeeping", m004_housekeeping),
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
