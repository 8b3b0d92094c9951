"""Stories: the cost of finding an article's story among 10,000 open stories (issue #16).

1. join: `story_neighbours` (index look-up of the stories sharing the article's
   rare event parts, df and N) plus `choose_story` (scoring), per article, with
   10,000 stories open in the window, in a real SQLite file. Baseline in the
   same run: the previous lookup, reading every open story's SimHash and
   scanning them in Python (`story_candidates` + `nearest`). Goal: <= 1 ms.
   Input is synthetic: parts drawn like a news stream (a few actors in most
   stories, places, names, numbers and dates from large vocabularies).
2. fingerprint: extracting the event parts of the real reports of the story
   set (tests/data/stories/), per article (gazetteer loaded once, apart).
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from daemon.alerts.stories import StoryConfig, choose_story, nearest, simhash_bands
from rules.fingerprint import Fingerprint, fingerprint, gazetteer
from rules.model import Article
from store import StoryJoin
from store.sqlite import SqliteStore, open_sqlite
from tests.stories_eval import load

STORIES = int(os.environ.get("BENCH_STORIES", "10000"))
PROBES = 500
WINDOW = timedelta(days=3)
START = datetime(2025, 3, 1, tzinfo=UTC)


def synthetic_parts(rng: random.Random, at: datetime) -> list[str]:
    actors = rng.sample(["RUS", "UKR", "USA", "CHN", "PRK", "DEU", "FRA", "IRN"], 2)
    parts = [f"a:{a}" for a in actors]
    parts += [f"p:{int(rng.paretovariate(1.1) * 100) % 40000}" for _ in range(rng.randint(1, 4))]
    parts += [f"n:{rng.getrandbits(20):05x}" for _ in range(rng.randint(0, 5))]
    parts += [f"q:{int(rng.paretovariate(1.0) * 10)}" for _ in range(rng.randint(0, 4))]
    parts += [f"d:{(at - timedelta(days=rng.randint(0, 1))).date().isoformat()}"]
    parts += [f"c:cue{rng.randint(0, 17)}"]
    return parts


def fill(store: SqliteStore, rng: random.Random) -> list[tuple[list[str], datetime, int]]:
    made = []
    with store.db.atomic():  # one transaction: filling is set-up, not what is measured
        for i in range(STORIES):
            made.append(one_story(store, rng, i))
    return made


def one_story(store: SqliteStore, rng: random.Random, i: int) -> tuple[list[str], datetime, int]:
    at = START + timedelta(seconds=rng.uniform(0, WINDOW.total_seconds()))
    fp = rng.getrandbits(64)
    parts = synthetic_parts(rng, at) + simhash_bands(fp)
    article = Article(f"s{i}", "feed", f"https://example.org/{i}", "t", "x", at)
    store.record_planned(article, [], at, fingerprint=fp, join=StoryJoin(parts, at, "new"))
    return parts, at, fp


def bench_join(tmp: Path) -> None:
    rng = random.Random(16)
    store = open_sqlite(tmp / "stories.db")
    started = time.perf_counter()
    made = fill(store, rng)
    print(f"filled {STORIES} open stories in {time.perf_counter() - started:.1f} s")
    config = StoryConfig.model_validate({})
    probes = []
    for i in range(PROBES):
        if i % 2:  # another report of an existing story: most of its parts, another wording
            parts, at, _ = rng.choice(made)
            own = [p for p in parts if not p.startswith("h:") and rng.random() < 0.7]
            probes.append((own + simhash_bands(rng.getrandbits(64)), at, rng.getrandbits(64)))
        else:
            at = START + timedelta(seconds=rng.uniform(0, WINDOW.total_seconds()))
            fp = rng.getrandbits(64)
            probes.append((synthetic_parts(rng, at) + simhash_bands(fp), at, fp))
    empty = Fingerprint({})
    index_ms, joined = [], 0
    for parts, at, fp in probes:
        t = time.perf_counter()
        near = store.story_neighbours(parts, at, WINDOW)
        story, _, _ = choose_story(near, fp, empty, config)
        index_ms.append((time.perf_counter() - t) * 1000)
        joined += story is not None
    scan_ms = []
    for _, at, fp in probes[:100]:
        t = time.perf_counter()
        nearest(store.story_candidates(at - WINDOW - WINDOW), fp, config.max_distance)
        scan_ms.append((time.perf_counter() - t) * 1000)
    med, base = statistics.median(index_ms), statistics.median(scan_ms)
    p95 = statistics.quantiles(index_ms, n=20)[-1]
    print(
        f"join at {STORIES} open stories: index median {med:.3f} ms, p95 {p95:.3f} ms "
        f"({PROBES} articles, {joined} joined); baseline scan of every story's SimHash "
        f"median {base:.3f} ms; ratio {base / med:.1f}x (synthetic parts, real SQLite file)"
    )
    store.close()


def bench_fingerprint() -> None:
    t = time.perf_counter()
    gazetteer()
    load_s = time.perf_counter() - t
    reports = load("all")
    ms = []
    for r in reports:
        t = time.perf_counter()
        fingerprint(r["title"], r["text"], published=r["published"].date())
        ms.append((time.perf_counter() - t) * 1000)
    print(
        f"fingerprint of {len(reports)} real reports: median {statistics.median(ms):.2f} ms, "
        f"max {max(ms):.2f} ms; gazetteer load once {load_s:.2f} s"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        bench_join(Path(tmp))
    bench_fingerprint()


if __name__ == "__main__":
    main()
