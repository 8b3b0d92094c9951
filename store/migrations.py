"""The schema, written once: one list of migrations, each with its per-dialect parts.

Append only: never edit a migration that may have been applied somewhere;
add a new one at the end (docs/postgresql.md, "Changing the schema", says how).
A migration is SQL that both engines accept, with the column types that differ written as
`{serial}`, `{bigint}`, `{real}` and `{time}` (store/sql.py: `Dialect.types`;
a literal brace is doubled), plus statements for one dialect only. Both
backends record the same names in `_migrations`, with the time each was
applied (UTC ISO text; `timestamptz` in PostgreSQL since 006).

Migrations 001-005 keep the column types the two hand-kept lists of before
gave (times as TEXT everywhere); 006 makes PostgreSQL's times `timestamptz`.
New time columns are `{time}`: TEXT in SQLite, TIMESTAMPTZ in PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from store.codec import ts
from store.errors import SchemaError, is_database_error
from store.sql import Database, Dialect


@dataclass(frozen=True, slots=True)
class Migration:
    """One step of the schema: SQL for every dialect, then each dialect's own."""

    name: str
    both: tuple[str, ...] = ()
    only: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def statements(self, dialect: Dialect) -> list[str]:
        """The statements to run on `dialect`, its column types filled in."""
        types = dict(dialect.types)
        return [sql.format_map(types) for sql in (*self.both, *self.only.get(dialect.name, ()))]


def _add_columns(table: str, *columns: str) -> tuple[str, ...]:
    return tuple(f"ALTER TABLE {table} ADD COLUMN {c}" for c in columns)


def _to_timestamptz(table: str, *columns: str) -> str:
    # NULLIF: an empty string was never a time; it becomes NULL rather than failing.
    return f"ALTER TABLE {table} " + ", ".join(
        f"ALTER COLUMN {c} TYPE timestamptz USING NULLIF({c}, '')::timestamptz" for c in columns
    )


# A hit's words in hit_search (010): its article's, as a stripped tsvector (no positions:
# plainto_tsquery asks for none).
_HIT_WORDS = "strip(to_tsvector('simple', coalesce(a.title, '') || ' ' || coalesce(a.text, '')))"


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        "001_initial",
        (
            """CREATE TABLE feeds (
                url TEXT PRIMARY KEY, title TEXT, interval_s INTEGER NOT NULL, etag TEXT,
                last_modified TEXT, status TEXT NOT NULL DEFAULT 'new', last_polled_at TEXT,
                last_success_at TEXT, next_poll_at TEXT, error_class TEXT, error TEXT,
                error_count INTEGER NOT NULL DEFAULT 0, added_at TEXT)""",
            """CREATE TABLE articles (
                id TEXT PRIMARY KEY, feed_url TEXT NOT NULL, guid TEXT, url TEXT, title TEXT,
                text TEXT, lang TEXT, feed_title TEXT, published_at TEXT,
                fetched_at TEXT NOT NULL)""",
            "CREATE INDEX idx_articles_feed_url_fetched_at ON articles (feed_url, fetched_at)",
            """CREATE TABLE hits (
                id {serial}, article_id TEXT NOT NULL REFERENCES articles (id),
                watch_id TEXT NOT NULL, title TEXT, severity TEXT, condition TEXT,
                evidence TEXT NOT NULL,  -- JSON: [{{text, start, end, actors, mentions, terms}}]
                rule_file TEXT, rule_version TEXT, created_at TEXT NOT NULL)""",
            "CREATE UNIQUE INDEX idx_hits_article_id_watch_id ON hits (article_id, watch_id)",
            "CREATE INDEX idx_hits_watch_id_created_at ON hits (watch_id, created_at)",
            """CREATE TABLE deliveries (
                id {serial}, hit_id {bigint} NOT NULL REFERENCES hits (id),
                channel TEXT NOT NULL, idempotency_key TEXT NOT NULL,
                status TEXT NOT NULL DEFAULT 'pending',  -- pending | sent | dead
                attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TEXT, claimed_until TEXT,
                last_error TEXT, created_at TEXT NOT NULL, sent_at TEXT)""",
            "CREATE UNIQUE INDEX idx_deliveries_hit_id_channel ON deliveries (hit_id, channel)",
            "CREATE UNIQUE INDEX idx_deliveries_idempotency_key ON deliveries (idempotency_key)",
            """CREATE INDEX idx_deliveries_status_next_attempt_at
                ON deliveries (status, next_attempt_at)""",
        ),
    ),
    # Stories, destinations, and what the outbox needs for threads, digests, escalations.
    Migration(
        "002_alerts",
        (
            *_add_columns(
                "deliveries",
                "kind TEXT NOT NULL DEFAULT 'alert'",  # alert | update | escalation
                "story_id {bigint}",
                "parent_id {bigint}",  # the story's first alert on this channel (threads)
                "digest INTEGER NOT NULL DEFAULT 0",  # 1: held for the channel's next digest
                "remote_ref TEXT",  # what the receiver called it (Slack ts), for replies
            ),
            "DROP INDEX idx_deliveries_hit_id_channel",
            """CREATE UNIQUE INDEX idx_deliveries_hit_id_channel_kind
                ON deliveries (hit_id, channel, kind)""",
            "CREATE INDEX idx_deliveries_channel_status_id ON deliveries (channel, status, id)",
            "ALTER TABLE articles ADD COLUMN story_id {bigint}",
            """CREATE TABLE stories (
                id {serial}, fingerprint {bigint} NOT NULL, article_id TEXT,
                created_at TEXT NOT NULL, seen_at TEXT NOT NULL)""",
            "CREATE INDEX idx_stories_seen_at ON stories (seen_at)",
            """CREATE TABLE destinations (
                channel TEXT PRIMARY KEY, status TEXT NOT NULL, reason TEXT,
                changed_at TEXT NOT NULL)""",
        ),
    ),
    # Feed health, adaptive schedule, redirects; canonical links for article identity.
    Migration(
        "003_polling",
        (
            *_add_columns(
                "feeds",
                "origin TEXT NOT NULL DEFAULT 'config'",  # config | cli (who added the feed)
                "effective_url TEXT",  # where the feed lives now, after permanent redirects
                "poll_interval_s INTEGER",  # the adapted interval (interval_s: the base)
                "items_per_day {real}",  # estimated from the entries' dates
                "last_new_at TEXT",  # when a poll last found new entries
                "last_error_at TEXT",
                "error_since TEXT",  # first failure of the current run of failures
                "errors_total INTEGER NOT NULL DEFAULT 0",
                "health TEXT",  # the problem an operator notice is out for: failing | silent
                "health_at TEXT",
            ),
            "CREATE INDEX idx_feeds_next_poll_at_url ON feeds (next_poll_at, url)",
            "ALTER TABLE articles ADD COLUMN canonical_url TEXT",
            """CREATE INDEX idx_articles_feed_url_canonical_url
                ON articles (feed_url, canonical_url)""",
        ),
    ),
    # Retention prunes by fetch time; metrics read newly sent deliveries by sent_at.
    Migration(
        "004_housekeeping",
        (
            "CREATE INDEX IF NOT EXISTS idx_articles_fetched_at ON articles (fetched_at)",
            """CREATE INDEX IF NOT EXISTS idx_deliveries_status_sent_at
                ON deliveries (status, sent_at)""",
        ),
    ),
    # Who holds a lease: feeds being polled, deliveries being sent (several daemons).
    Migration(
        "005_leases",
        (
            *_add_columns("feeds", "leased_until TEXT", "leased_by TEXT"),
            "ALTER TABLE deliveries ADD COLUMN claimed_by TEXT",
        ),
    ),
    # PostgreSQL keeps times as times: the UTC ISO text becomes timestamptz (same instants).
    # SQLite has no time type: its times stay ISO text, which sorts like time.
    Migration(
        "006_timestamptz",
        only={
            "postgresql": (
                _to_timestamptz(
                    "feeds",
                    "last_polled_at",
                    "last_success_at",
                    "next_poll_at",
                    "added_at",
                    "last_new_at",
                    "last_error_at",
                    "error_since",
                    "health_at",
                    "leased_until",
                ),
                _to_timestamptz("articles", "published_at", "fetched_at"),
                _to_timestamptz("hits", "created_at"),
                _to_timestamptz(
                    "deliveries", "next_attempt_at", "claimed_until", "created_at", "sent_at"
                ),
                _to_timestamptz("stories", "created_at", "seen_at"),
                _to_timestamptz("destinations", "changed_at"),
                _to_timestamptz("_migrations", "applied_at"),
            )
        },
    ),
    # How many items of a feed were skipped (each failed alone), and the last reason.
    Migration(
        "007_skipped",
        _add_columns("feeds", "skipped_items INTEGER NOT NULL DEFAULT 0", "last_skip TEXT"),
    ),
    # The web console: verdicts on hits, mutes, the indexes its pages read by, and
    # full-text search of hit articles (SQLite: FTS5, rowid = hit id; PostgreSQL: GIN).
    Migration(
        "008_console",
        (
            """CREATE TABLE verdicts (
                hit_id {bigint} PRIMARY KEY REFERENCES hits (id),
                verdict TEXT NOT NULL,  -- relevant | irrelevant
                decided_at {time} NOT NULL)""",
            """CREATE TABLE mutes (
                id {serial}, kind TEXT NOT NULL,  -- watch | story | actor
                target TEXT NOT NULL, until {time} NOT NULL, reason TEXT,
                created_at {time} NOT NULL)""",
            "CREATE INDEX idx_mutes_until ON mutes (until)",
            "CREATE INDEX idx_hits_created_at ON hits (created_at)",
            "CREATE INDEX idx_articles_story_id ON articles (story_id)",
            "CREATE INDEX idx_deliveries_hit_id ON deliveries (hit_id)",
        ),
        only={
            "sqlite": (
                # Contentless: the index holds terms only; its rowid is the hit's id.
                "CREATE VIRTUAL TABLE hit_fts USING fts5(title, body, content='')",
                """CREATE TRIGGER hit_fts_insert AFTER INSERT ON hits BEGIN
                    INSERT INTO hit_fts (rowid, title, body)
                    SELECT NEW.id, coalesce(a.title, ''), coalesce(a.text, '')
                    FROM articles a WHERE a.id = NEW.article_id;
                END""",
                """INSERT INTO hit_fts (rowid, title, body)
                    SELECT h.id, coalesce(a.title, ''), coalesce(a.text, '')
                    FROM hits h JOIN articles a ON a.id = h.article_id""",
            ),
            "postgresql": (
                # The same expression the console searches with (store/sql.py: POSTGRESQL).
                """CREATE INDEX idx_articles_fts ON articles USING gin
                    (to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(text, '')))""",
            ),
        },
    ),
    # 007 belongs to a branch merged before this one.
    # The story index (store/storyindex.py): each open story's event parts
    # (rules/fingerprint.py) with the publication times they span, stories per day
    # and per (part, day) for the parts' rarity, and how each article joined its story.
    Migration(
        "009_story_index",
        (
            """CREATE TABLE story_parts (
                story_id {bigint} NOT NULL, part TEXT NOT NULL,
                first_at {time} NOT NULL, last_at {time} NOT NULL,
                PRIMARY KEY (story_id, part))""",
            """CREATE INDEX idx_story_parts_part_last_at
                ON story_parts (part, last_at, first_at, story_id)""",
            # day: the UTC date of publication, 'YYYY-MM-DD'
            "CREATE TABLE story_days (day TEXT PRIMARY KEY, stories INTEGER NOT NULL)",
            """CREATE TABLE story_part_days (
                part TEXT NOT NULL, day TEXT NOT NULL, stories INTEGER NOT NULL,
                PRIMARY KEY (part, day))""",
            """CREATE TABLE story_joins (
                article_id TEXT PRIMARY KEY, story_id {bigint} NOT NULL,
                method TEXT NOT NULL,  -- new | simhash | event
                score {real},
                shared TEXT)  -- JSON: [[part, weight, what the text said]]""",
        ),
    ),
    # PostgreSQL's search by hit, as SQLite's hit_fts is (store/console.py: hit_page):
    # each hit's article words under its id, written by an insert trigger on hits. The
    # articles' own index (008) served a search that tested each hit's article, newest
    # first: 19 s for a word no article holds among 1,000,000 hits. By hit id, a page
    # tests the newest hits' words first and reads the older ones through the GIN index;
    # the articles' index is then read by nothing (and cost every article insert).
    Migration(
        "010_hit_search",
        only={
            "postgresql": (
                """CREATE TABLE hit_search (
                    hit_id BIGINT PRIMARY KEY REFERENCES hits (id), doc tsvector NOT NULL)""",
                f"""CREATE FUNCTION hit_search_insert() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO hit_search (hit_id, doc)
                    SELECT NEW.id, {_HIT_WORDS} FROM articles a WHERE a.id = NEW.article_id;
                    RETURN NULL;
                END $$""",
                """CREATE TRIGGER hit_search_insert AFTER INSERT ON hits
                    FOR EACH ROW EXECUTE FUNCTION hit_search_insert()""",
                f"""INSERT INTO hit_search (hit_id, doc)
                    SELECT h.id, {_HIT_WORDS} FROM hits h JOIN articles a ON a.id = h.article_id""",
                "CREATE INDEX idx_hit_search_doc ON hit_search USING gin (doc)",
                "DROP INDEX idx_articles_fts",
            )
        },
    ),
)

# Held while migrating, so that daemons starting together migrate one at a time.
_LOCKS = {"postgresql": "SELECT pg_advisory_xact_lock(hashtext('wirewatch:migrate'))"}


def migrate(
    db: Database, dialect: Dialect, now: datetime, migrations: tuple[Migration, ...] = MIGRATIONS
) -> list[str]:
    """Apply every migration not yet applied, in order, in one transaction; their names."""
    applied = []
    with db.atomic():
        if dialect.name in _LOCKS:
            db.execute(_LOCKS[dialect.name])
        db.execute(
            "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT)"
        )
        done = {r["name"] for r in db.query("SELECT name FROM _migrations")}
        for migration in migrations:
            if migration.name in done:
                continue
            for sql in migration.statements(dialect):
                db.execute(sql)
            db.execute(
                "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
                [migration.name, ts(now)],
            )
            applied.append(migration.name)
    return applied


def check_schema(db: Database, path: str, migrations: tuple[Migration, ...] = MIGRATIONS) -> None:
    """Raise SchemaError unless the store has applied exactly `migrations` (read only)."""
    try:
        done = {r["name"] for r in db.query("SELECT name FROM _migrations")}
    except Exception as e:  # no _migrations table: not a wirewatch store, or an empty one
        if not is_database_error(e):
            raise
        done = set()
    expected = [m.name for m in migrations]
    if done == set(expected):
        return
    newer = sorted(done - set(expected))
    lacking = [name for name in expected if name not in done]
    if newer:
        advice = (
            f"a newer wirewatch migrated it ({', '.join(newer)}); "
            "serve it with that version, or upgrade this one"
        )
    elif done:
        advice = (
            f"it lacks {', '.join(lacking)}; a read-only console does not migrate: "
            "start this version's daemon (or `wirewatch web` without --read-only) on the "
            "primary first"
        )
    else:
        advice = "no wirewatch tables in it; a read-only console does not create them"
    found = max(done) if done else "none"
    raise SchemaError(path, found, expected[-1], advice)
