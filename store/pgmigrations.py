"""PostgreSQL schema migrations: the same steps as store/migrations.py, in its SQL.

Append only, one entry per SQLite migration, under the same name, so that both
backends have the same tables and columns after the same steps. Times are
stored as the same UTC ISO 8601 text as in SQLite (store/codec.py), which sorts
like time and keeps the shared SQL and the `migrate --to` copy byte-for-byte.
"""

from __future__ import annotations

from store.pgdb import PgDatabase

M001_INITIAL = [
    """CREATE TABLE feeds (
        url TEXT PRIMARY KEY, title TEXT, interval_s INTEGER NOT NULL, etag TEXT,
        last_modified TEXT, status TEXT NOT NULL DEFAULT 'new', last_polled_at TEXT,
        last_success_at TEXT, next_poll_at TEXT, error_class TEXT, error TEXT,
        error_count INTEGER NOT NULL DEFAULT 0, added_at TEXT)""",
    """CREATE TABLE articles (
        id TEXT PRIMARY KEY, feed_url TEXT NOT NULL, guid TEXT, url TEXT, title TEXT,
        text TEXT, lang TEXT, feed_title TEXT, published_at TEXT, fetched_at TEXT NOT NULL)""",
    "CREATE INDEX idx_articles_feed_url_fetched_at ON articles (feed_url, fetched_at)",
    """CREATE TABLE hits (
        id BIGSERIAL PRIMARY KEY, article_id TEXT NOT NULL REFERENCES articles (id),
        watch_id TEXT NOT NULL, title TEXT, severity TEXT, condition TEXT,
        evidence TEXT NOT NULL, rule_file TEXT, rule_version TEXT, created_at TEXT NOT NULL)""",
    "CREATE UNIQUE INDEX idx_hits_article_id_watch_id ON hits (article_id, watch_id)",
    "CREATE INDEX idx_hits_watch_id_created_at ON hits (watch_id, created_at)",
    """CREATE TABLE deliveries (
        id BIGSERIAL PRIMARY KEY, hit_id BIGINT NOT NULL REFERENCES hits (id),
        channel TEXT NOT NULL, idempotency_key TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT, claimed_until TEXT, last_error TEXT, created_at TEXT NOT NULL,
        sent_at TEXT)""",
    "CREATE UNIQUE INDEX idx_deliveries_hit_id_channel ON deliveries (hit_id, channel)",
    "CREATE UNIQUE INDEX idx_deliveries_idempotency_key ON deliveries (idempotency_key)",
    "CREATE INDEX idx_deliveries_status_next_attempt_at ON deliveries (status, next_attempt_at)",
]

M002_ALERTS = [
    "ALTER TABLE deliveries ADD COLUMN kind TEXT NOT NULL DEFAULT 'alert'",
    "ALTER TABLE deliveries ADD COLUMN story_id BIGINT",
    "ALTER TABLE deliveries ADD COLUMN parent_id BIGINT",
    "ALTER TABLE deliveries ADD COLUMN digest INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE deliveries ADD COLUMN remote_ref TEXT",
    "DROP INDEX idx_deliveries_hit_id_channel",
    "CREATE UNIQUE INDEX idx_deliveries_hit_id_channel_kind ON deliveries (hit_id, channel, kind)",
    "CREATE INDEX idx_deliveries_channel_status_id ON deliveries (channel, status, id)",
    "ALTER TABLE articles ADD COLUMN story_id BIGINT",
    """CREATE TABLE stories (
        id BIGSERIAL PRIMARY KEY, fingerprint BIGINT NOT NULL, article_id TEXT,
        created_at TEXT NOT NULL, seen_at TEXT NOT NULL)""",
    "CREATE INDEX idx_stories_seen_at ON stories (seen_at)",
    """CREATE TABLE destinations (
        channel TEXT PRIMARY KEY, status TEXT NOT NULL, reason TEXT, changed_at TEXT NOT NULL)""",
]

M003_POLLING = [
    *(
        f"ALTER TABLE feeds ADD COLUMN {column}"
        for column in (
            "origin TEXT NOT NULL DEFAULT 'config'",
            "effective_url TEXT",
            "poll_interval_s INTEGER",
            "items_per_day DOUBLE PRECISION",
            "last_new_at TEXT",
            "last_error_at TEXT",
            "error_since TEXT",
            "errors_total INTEGER NOT NULL DEFAULT 0",
            "health TEXT",
            "health_at TEXT",
        )
    ),
    "CREATE INDEX idx_feeds_next_poll_at_url ON feeds (next_poll_at, url)",
    "ALTER TABLE articles ADD COLUMN canonical_url TEXT",
    "CREATE INDEX idx_articles_feed_url_canonical_url ON articles (feed_url, canonical_url)",
]

M004_HOUSEKEEPING = [
    "CREATE INDEX IF NOT EXISTS idx_articles_fetched_at ON articles (fetched_at)",
    "CREATE INDEX IF NOT EXISTS idx_deliveries_status_sent_at ON deliveries (status, sent_at)",
]

M005_LEASES = [
    "ALTER TABLE feeds ADD COLUMN leased_until TEXT",
    "ALTER TABLE feeds ADD COLUMN leased_by TEXT",
    "ALTER TABLE deliveries ADD COLUMN claimed_by TEXT",
]

M006_STORY_INDEX = [
    """CREATE TABLE story_parts (story_id BIGINT NOT NULL, part TEXT NOT NULL,
        first_at TEXT NOT NULL, last_at TEXT NOT NULL, PRIMARY KEY (story_id, part))""",
    """CREATE INDEX idx_story_parts_part_last_at
        ON story_parts (part, last_at, first_at, story_id)""",
    "CREATE TABLE story_days (day TEXT PRIMARY KEY, stories INTEGER NOT NULL)",
    """CREATE TABLE story_part_days (part TEXT NOT NULL, day TEXT NOT NULL,
        stories INTEGER NOT NULL, PRIMARY KEY (part, day))""",
    """CREATE TABLE story_joins (article_id TEXT PRIMARY KEY, story_id BIGINT NOT NULL,
        method TEXT NOT NULL, score DOUBLE PRECISION, shared TEXT)""",
]

MIGRATIONS: list[tuple[str, list[str]]] = [
    ("001_initial", M001_INITIAL),
    ("002_alerts", M002_ALERTS),
    ("003_polling", M003_POLLING),
    ("004_housekeeping", M004_HOUSEKEEPING),
    ("005_leases", M005_LEASES),
    ("006_story_index", M006_STORY_INDEX),
]

# Daemons starting together migrate one at a time.
_LOCK = "SELECT pg_advisory_xact_lock(hashtext('wirewatch:migrate'))"


def migrate(db: PgDatabase) -> list[str]:
    """Apply every migration not yet applied, each in its own transaction."""
    applied = []
    with db.atomic():
        db.execute(_LOCK)
        db.execute(
            "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT)"
        )
        done = {r["name"] for r in db.query("SELECT name FROM _migrations")}
        for name, steps in MIGRATIONS:
            if name in done:
                continue
            with db.atomic():
                for sql in steps:
                    db.execute(sql)
                db.execute(
                    "INSERT INTO _migrations (name, applied_at) VALUES (?, now()::text)", [name]
                )
            applied.append(name)
    return applied
