"""Console page times on a big SQLite store (synthetic rows, real schema and indexes).

Builds HITS hits over ARTICLES articles (env WIREWATCH_BENCH_HITS / _ARTICLES;
defaults 1,000,000 / 5,000,000, the size issue #12 names) set-based: one
INSERT ... SELECT over a recursive counter per table, the big tables' secondary
indexes made after the fill (about a minute on 2 shared cores, 3.7 GB).
WIREWATCH_BENCH_STORE=path builds there once and reuses it on later runs. Then
requests every read page REPEAT times through the real app and reports median
and p95 per page, against /healthz (the baseline: no store work) in the same run.
The hit search index (SQLite: hit_fts; PostgreSQL: hit_search) is filled by its
insert trigger, as in the daemon.
WIREWATCH_BENCH_CONSOLE_POSTGRES=1: the same rows in a fresh schema of
$WIREWATCH_TEST_POSTGRES (`make pg`), filled with generate_series, instead
(under 2 minutes); there WIREWATCH_BENCH_STORE=name is a schema, built once and
reused on later runs (drop it by hand: DROP SCHEMA name CASCADE).

Every article's text has the ten WORDS; one in RARE_EVERY (0.01%) has RARE in its
title too, and so does every 2,000th hit (a search that fills no page from the
newest hits). NONE is in no article.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from daemon.web.app import ConsoleSettings, build_app
from rules.load import load_rules
from store.codec import ts
from store.sqlite import open_sqlite

HITS = int(os.environ.get("WIREWATCH_BENCH_HITS", "1000000"))
ARTICLES = int(os.environ.get("WIREWATCH_BENCH_ARTICLES", "5000000"))
KEEP = os.environ.get("WIREWATCH_BENCH_STORE")
# Set: the same store in PostgreSQL (a schema of $WIREWATCH_TEST_POSTGRES), not SQLite.
PG = os.environ.get("WIREWATCH_BENCH_CONSOLE_POSTGRES", "") not in (
    "",
    "0",
)  # build there once, reuse on later runs
REPEAT = 20
NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)
WORDS = [
    "Moskau",
    "Kreml",
    "Pjöngjang",
    "Gipfel",
    "Handel",
    "Abkommen",
    "Raketen",
    "Sanktionen",
    "Telefonat",
    "Minister",
]
RARE, RARE_EVERY, NONE = "Selten", 10000, "Nirgendwo"
PAGES = [
    "/healthz",
    "/",
    "/hits",
    "/hits?watch=w3",
    "/hits?actor=PRK",
    "/hits?q=Gipfel+Raketen",
    "/hits?lang=de&severity=high&verdict=none",
    "/hits?before=500000",
    "/hits?since=2026-06-01&until=2026-06-01",
    "/hits?feed=http://f/7",
    "/hits?lang=fr",  # matches nothing: the worst case of a filter
    "/hits?actor=XYZ",
    "/hits?actor=XYZ&before=300000",
    "/hits?watch=nope",
    "/hits?verdict=relevant",
    f"/hits?q={NONE}",  # in no article
    f"/hits?q={RARE}",  # in 0.01% of the articles, 1 hit in 2,000
    f"/hits?q={RARE}&before=500000",
    "/hits?q=Gipfel&before=500000",
    "/hits?q=Gipfel&lang=fr",  # a common word and a filter none of its hits pass
    "/hits?q=Gipfel&actor=XYZ",
    "/hits?q=Gipfel&lang=fr&before=300000",
    "/hits?q=Gipfel&severity=high",  # a filter most of its hits pass
    f"/hits?q={RARE}&lang=fr",
    "/hits.atom?q=Gipfel&lang=fr",
    # A search and a filter an index narrows, but not with the search's (docs/console.md).
    "/hits?q=Gipfel&watch=nope",
    "/hits?q=Gipfel&since=2026-01-01&until=2026-01-01",
    "/hits?q=Gipfel&story=12345",  # 20 runs on one connection: past psycopg's prepare
    "/hits.atom?watch=w1",
    "/hits.csv",
    "/hits.json?actor=RUS",
    "/stories/12345",
    "/hits/500000",
    "/feeds",
    "/feeds.opml",
    "/watches",
    "/watches/russia-north-korea",
    "/tester",
    "/verdicts",
    "/mutes",
    "/deliveries",
    "/deliveries?status=dead",
]


EVIDENCE = json.dumps(
    [
        {
            "text": "Putin und Kim in Moskau",
            "start": 0,
            "end": 23,
            "actors": ["RUS", "PRK"],
            "mentions": [{"actor": "RUS", "text": "Putin", "start": 0, "end": 5}],
            "terms": [],
        }
    ]
)


def _indexes(db: sqlite_utils.Database, tables: tuple[str, ...]) -> list[tuple[str, str]]:
    """The names and CREATE INDEX statements of `tables` (the migrations' own, read back)."""
    marks = ",".join("?" * len(tables))
    return db.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({marks})",
        tables,
    ).fetchall()


def build(path: Path, hits: int = HITS, articles: int = ARTICLES) -> None:
    """Fill a migrated store set-based: INSERT ... SELECT over a recursive counter.

    The secondary indexes of the big tables are dropped while they fill and made
    again after (one sort each instead of 5,000,000 random inserts); the schema
    at the end is the migrations' own.
    """
    store = open_sqlite(path)
    db = store.db
    db.execute("PRAGMA cache_size = -1000000")  # 1 GB while building
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    span_s = 365 * 86400
    end_s = int(NOW.timestamp())
    # Ten 40-word texts, as the rows of the earlier per-row fill had.
    texts = json.dumps([" ".join(WORDS[(i + k) % 10] for k in range(40)) for i in range(10)])
    at = "strftime('%Y-%m-%dT%H:%M:%S', {}, 'unixepoch') || '.000000+00:00'"
    counter = "WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < :n - 1)"
    indexes = _indexes(db, ("articles", "hits", "deliveries"))
    for name, _ in indexes:
        db.execute(f"DROP INDEX {name}")
    with db.atomic():
        db.execute("INSERT INTO feeds (url, interval_s, status) VALUES ('http://f/0', 900, 'ok')")
        db.execute(
            f"""{counter}
            INSERT INTO articles (id, feed_url, url, title, text, lang, fetched_at, story_id)
            SELECT 'a' || i, 'http://f/' || (i % 300), 'http://x/' || i,
                   'Titel ' || i || ' ' || json_extract(:words, '$[' || (i % 10) || ']')
                       || CASE WHEN i % :every = 0 THEN ' ' || :rare ELSE '' END,
                   json_extract(:texts, '$[' || (i % 10) || ']'),
                   CASE WHEN i % 3 THEN 'de' ELSE 'en' END,
                   {at.format(":end - :span * (:n - i) / :n")}, i / 4
            FROM c""",
            {
                "n": articles,
                "words": json.dumps(WORDS),
                "texts": texts,
                "end": end_s,
                "span": span_s,
                "every": RARE_EVERY,
                "rare": RARE,
            },
        )
        db.execute(
            f"""{counter}
            INSERT INTO hits (id, article_id, watch_id, severity, evidence, created_at)
            SELECT i + 1, 'a' || (i * (:articles / :n)), 'w' || (i % 8),
                   CASE WHEN i % 5 = 0 THEN 'high' ELSE 'medium' END, :evidence,
                   {at.format(":end - :span * (:n - i) / :n")}
            FROM c""",
            {"n": hits, "articles": articles, "evidence": EVIDENCE, "end": end_s, "span": span_s},
        )
        db.execute(
            f"""{counter}
            INSERT INTO deliveries (hit_id, channel, idempotency_key, status, created_at)
            SELECT 1 + i * 10, 'ops', 'k' || (1 + i * 10),
                   CASE WHEN i % 5 = 0 THEN 'dead' ELSE 'sent' END, :now
            FROM c""",
            {"n": hits // 10, "now": ts(NOW)},
        )
    for _, sql in indexes:
        db.execute(sql)
    db.execute("ANALYZE")
    db.execute("PRAGMA journal_mode = WAL")
    store.close()


def build_postgres(url: str, hits: int = HITS, articles: int = ARTICLES) -> None:
    """The same rows in PostgreSQL: INSERT ... SELECT over generate_series, indexes after."""
    from store.postgres import open_postgres

    store = open_postgres(url)
    db = store.db
    db.execute("SET maintenance_work_mem = '512MB'")
    indexes = [
        (r["indexname"], r["indexdef"])
        for r in db.query(
            """SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()
               AND tablename IN ('articles', 'hits', 'deliveries', 'hit_search')
               AND indexname NOT LIKE '%pkey'"""
        )
    ]
    for name, _ in indexes:
        db.execute(f"DROP INDEX {name}")
    texts = [" ".join(WORDS[(i + k) % 10] for k in range(40)) for i in range(10)]
    at = "to_timestamp(:end - :span::bigint * (:n - i) / :n)"
    span, end = 365 * 86400, int(NOW.timestamp())
    with db.atomic():
        db.execute("INSERT INTO feeds (url, interval_s, status) VALUES ('http://f/0', 900, 'ok')")
        db.execute(
            f"""INSERT INTO articles (id, feed_url, url, title, text, lang, fetched_at, story_id)
                SELECT 'a' || i, 'http://f/' || (i % 300), 'http://x/' || i,
                       'Titel ' || i || ' ' || (:words::text[])[i % 10 + 1]
                           || CASE WHEN i % :every = 0 THEN ' ' || :rare ELSE '' END,
                       (:texts::text[])[i % 10 + 1],
                       CASE WHEN i % 3 <> 0 THEN 'de' ELSE 'en' END, {at}, i / 4
                FROM generate_series(0, :n - 1) AS i""",
            {
                "n": articles,
                "words": WORDS,
                "texts": texts,
                "end": end,
                "span": span,
                "every": RARE_EVERY,
                "rare": RARE,
            },
        )
        db.execute(
            f"""INSERT INTO hits (id, article_id, watch_id, severity, evidence, created_at)
                SELECT i + 1, 'a' || (i * (:articles / :n)), 'w' || (i % 8),
                       CASE WHEN i % 5 = 0 THEN 'high' ELSE 'medium' END, :evidence, {at}
                FROM generate_series(0, :n - 1) AS i""",
            {"n": hits, "articles": articles, "evidence": EVIDENCE, "end": end, "span": span},
        )
        db.execute("SELECT setval(pg_get_serial_sequence('hits', 'id'), :n)", {"n": hits})
        db.execute(
            """INSERT INTO deliveries (hit_id, channel, idempotency_key, status, created_at)
               SELECT 1 + i * 10, 'ops', 'k' || (1 + i * 10),
                      CASE WHEN i % 5 = 0 THEN 'dead' ELSE 'sent' END, :now
               FROM generate_series(0, :n - 1) AS i""",
            {"n": hits // 10, "now": ts(NOW)},
        )
    for _, sql in indexes:
        db.execute(sql)
    db.execute("ANALYZE")
    store.close()


@contextmanager
def _postgres_schema() -> Iterator[tuple[str, bool]]:
    """The bench's schema of the test server and whether it holds the store already:
    KEEP's (kept), or a fresh one (dropped afterwards)."""
    import psycopg

    from tests.support.pg import fresh_schema, server_url, with_schema

    if not KEEP:
        with fresh_schema() as url:
            yield url, False
        return
    with psycopg.connect(server_url(), autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {KEEP}")
        built = conn.execute("SELECT to_regclass(%s)", [f"{KEEP}.hits"]).fetchone() != (None,)
        if built:
            built = conn.execute(f"SELECT 1 FROM {KEEP}.hits LIMIT 1").fetchone() is not None
    yield with_schema(server_url(), KEEP), built


def main() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient
    if PG:
        with _postgres_schema() as (url, built):
            if built:
                print(f"reusing schema {KEEP}", flush=True)
            else:
                started = time.perf_counter()
                build_postgres(url)
                print(
                    f"built {HITS:,} hits / {ARTICLES:,} articles (synthetic) in PostgreSQL "
                    f"in {time.perf_counter() - started:.0f} s",
                    flush=True,
                )
            measure(url, TestClient)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(KEEP or Path(tmp) / "big.db")
        if not path.exists():
            started = time.perf_counter()
            build(path)
            print(
                f"built {HITS:,} hits / {ARTICLES:,} articles (synthetic) in "
                f"{time.perf_counter() - started:.0f} s, {path.stat().st_size / 1e9:.1f} GB",
                flush=True,
            )
        else:
            print(f"reusing {path} ({path.stat().st_size / 1e9:.1f} GB)", flush=True)
        measure(str(path), TestClient)


def measure(store: str, client_type: Any) -> None:
    """Every page REPEAT times through the real app: median, p95, ratio to /healthz."""
    rules = load_rules([Path("rules/watches")])
    from daemon.runtime.metrics import Metrics, endpoint_routes

    app = build_app(
        ConsoleSettings(
            store=store,
            rules=lambda: rules,
            now=lambda: NOW,
            extra_routes=endpoint_routes(Metrics(), lambda: None),
            overview_ttl_s=0,  # measure the overview's reads, not their reuse
        )
    )
    with client_type(app) as client:
        base = None
        print(f"{'page':45} {'median ms':>10} {'p95 ms':>8} {'x healthz':>10}")
        for page in PAGES:
            client.get(page)  # warm
            times = []
            for _ in range(REPEAT):
                t = time.perf_counter()
                r = client.get(page)
                times.append((time.perf_counter() - t) * 1000)
                assert r.status_code in (200, 404), (page, r.status_code)
            med = statistics.median(times)
            p95 = sorted(times)[int(0.95 * (len(times) - 1))]
            base = base or med
            print(f"{page:45} {med:10.1f} {p95:8.1f} {med / base:10.1f}", flush=True)


if __name__ == "__main__":
    main()
