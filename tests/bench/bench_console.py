"""Console page times on a big SQLite store (synthetic rows, real schema and indexes).

Builds HITS hits over ARTICLES articles (env WIREWATCH_BENCH_HITS / _ARTICLES;
defaults 1,000,000 / 2,000,000: 5,000,000 articles take too long to build on a
2-core machine in a `make bench` run) with executemany in one transaction, then
requests every read page REPEAT times through the real app and reports median
and p95 per page, against /healthz (the baseline: no store work) in the same run.
The hit FTS index is filled by its insert trigger, as in the daemon.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

from daemon.web.app import ConsoleSettings, build_app
from rules.load import load_rules
from store.codec import ts
from store.sqlite import open_sqlite

HITS = int(os.environ.get("WIREWATCH_BENCH_HITS", "1000000"))
ARTICLES = int(os.environ.get("WIREWATCH_BENCH_ARTICLES", "2000000"))
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
PAGES = [
    "/healthz",
    "/",
    "/hits",
    "/hits?watch=w3",
    "/hits?actor=PRK",
    "/hits?q=Gipfel+Raketen",
    "/hits?lang=de&severity=high&verdict=none",
    "/hits.atom?watch=w1",
    "/hits.csv",
    "/stories/12345",
    "/hits/500000",
    "/feeds",
    "/watches",
    "/verdicts",
    "/deliveries?status=dead",
]


def build(path: Path) -> None:
    store = open_sqlite(path)
    db = store.db
    evidence = json.dumps(
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
    span_s = 365 * 86400
    with db.atomic():
        db.execute(  # type: ignore[call-arg]
            "INSERT INTO feeds (url, interval_s, status) VALUES ('http://f/0', 900, 'ok')"
        )
        rows = (
            (
                f"a{i}",
                f"http://f/{i % 300}",
                f"http://x/{i}",
                f"Titel {i} {WORDS[i % 10]}",
                " ".join(WORDS[(i + k) % 10] for k in range(40)),
                "de" if i % 3 else "en",
                ts(NOW - timedelta(seconds=span_s * (ARTICLES - i) / ARTICLES)),
                i // 4,
            )
            for i in range(ARTICLES)
        )
        db.conn.executemany(
            """INSERT INTO articles (id, feed_url, url, title, text, lang, fetched_at, story_id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            rows,
        )
        step = ARTICLES // HITS
        hits = (
            (
                f"a{i * step}",
                f"w{i % 8}",
                "high" if i % 5 == 0 else "medium",
                evidence,
                ts(NOW - timedelta(seconds=span_s * (HITS - i) / HITS)),
            )
            for i in range(HITS)
        )
        db.conn.executemany(
            """INSERT INTO hits (article_id, watch_id, severity, evidence, created_at)
               VALUES (?, ?, ?, ?, ?)""",
            hits,
        )
        db.conn.executemany(
            """INSERT INTO deliveries (hit_id, channel, idempotency_key, status, created_at)
               VALUES (?, 'ops', ?, ?, ?)""",
            (
                (i, f"k{i}", "dead" if i % 50 == 0 else "sent", ts(NOW))
                for i in range(1, HITS + 1, 10)
            ),
        )
    db.execute("ANALYZE")
    store.close()


def main() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.db"
        started = time.perf_counter()
        build(path)
        print(
            f"built {HITS:,} hits / {ARTICLES:,} articles (synthetic) in "
            f"{time.perf_counter() - started:.0f} s",
            flush=True,
        )
        rules = load_rules([Path("rules/watches")])
        from daemon.runtime.metrics import Metrics, endpoint_routes

        app = build_app(
            ConsoleSettings(
                store=str(path),
                rules=lambda: rules,
                now=lambda: NOW,
                extra_routes=endpoint_routes(Metrics(), lambda: None),
            )
        )
        with TestClient(app) as client:
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
