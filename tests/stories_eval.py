"""Score story grouping on the labelled story set (tests/data/stories/), end to end.

Each language becomes one RSS file; `wirewatch run --once` reads them all
(backfill: 10000, every item), and the stories it stored are compared with the gold events:
pairwise precision, recall and F1 over pairs published at most 3 days apart,
the share of cross-language pairs of one event that were joined, and how many
singletons were merged into another story.

Run `python -m tests.stories_eval [dev|blind|all]` for a report.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from collections import defaultdict
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import combinations
from pathlib import Path
from typing import Any

import yaml

from store import is_postgres
from tests.support import spawn
from tests.support.feeds import Item, rss

DATA = Path(__file__).resolve().parent / "data" / "stories"
PAIR_SPAN = timedelta(days=3)
WATCH = """version: "1"
watches:
  - id: watched-states
    title: Watched states
    any: [RUS, PRK, UKR, KOR, USA, CHN, JPN, DEU, POL, TUR]
    scope: article
"""


def load(part: str) -> list[dict[str, Any]]:
    """The labelled reports of `dev`, `blind` or `all`."""
    names = ["dev", "blind"] if part == "all" else [part]
    return [r for n in names for r in yaml.safe_load((DATA / f"{n}.yaml").read_text("utf-8"))]


def url_of(report: dict[str, Any]) -> str:
    return f"https://stories.example/{report['id']}"


def write_feeds(reports: list[dict[str, Any]], folder: Path) -> dict[str, Path]:
    """One RSS 2.0 file per language."""
    by_lang: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in reports:
        by_lang[r["lang"]].append(r)
    paths = {}
    for lang, items in sorted(by_lang.items()):
        path = folder / f"{lang}.xml"
        path.write_bytes(
            rss(
                *(
                    Item(url_of(r), r["title"], r["text"].strip(), url_of(r), r["published"])
                    for r in items
                ),
                title=f"news {lang}",
                lang=lang,
                link=f"https://stories.example/{lang}",
            )
        )
        paths[lang] = path
    return paths


def stored(store: str, sql: str) -> list[tuple[Any, ...]]:
    """Rows of a query on the store (a SQLite file or a postgresql:// URL), read directly."""
    if is_postgres(store):
        import psycopg

        with psycopg.connect(store) as conn:
            return [tuple(r) for r in conn.execute(sql).fetchall()]
    with closing(sqlite3.connect(store)) as db:
        return db.execute(sql).fetchall()


def run_once(
    reports: list[dict[str, Any]], folder: Path, store: str | None = None
) -> dict[str, int | None]:
    """Feed the reports through `wirewatch run --once` into `store` (default: a SQLite
    file in `folder`); article url -> story id."""
    store = store or str(folder / "state.db")
    feeds = write_feeds(reports, folder)
    (folder / "watches").mkdir(exist_ok=True)
    (folder / "watches" / "states.yaml").write_text(WATCH, encoding="utf-8")
    feed_yaml = "".join(
        f"  - url: {p}\n    lang: {lang}\n    backfill: 10000\n" for lang, p in feeds.items()
    )
    cfg = folder / "wirewatch.yaml"
    cfg.write_text(
        f"store: {json.dumps(store)}\nrules: [{folder / 'watches'}]\nfeeds:\n{feed_yaml}"
        "channels:\n  out:\n    type: console\n",
        encoding="utf-8",
    )
    # 10 languages' pipelines load in one run: allow for a busy machine.
    done = subprocess.run(
        spawn.command("run", "--once", "--config", str(cfg)),
        capture_output=True,
        text=True,
        timeout=900,
        env={k: v for k, v in os.environ.items() if k != "WIREWATCH_CONFIG"},
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    return dict(stored(store, "SELECT url, story_id FROM articles"))


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    cross_joined: int
    cross_pairs: int
    singletons_merged: int
    singletons: int
    stories: int
    articles: int

    @property
    def cross_recall(self) -> float:
        return self.cross_joined / self.cross_pairs if self.cross_pairs else 1.0

    def line(self, name: str) -> str:
        return (
            f"{name}: P={self.precision:.3f} R={self.recall:.3f} F1={self.f1:.3f} "
            f"cross-language {self.cross_joined}/{self.cross_pairs} "
            f"({self.cross_recall:.0%}) singletons merged {self.singletons_merged}/"
            f"{self.singletons} articles {self.articles} stories {self.stories}"
        )


def score(reports: list[dict[str, Any]], story_of: dict[str, int | None]) -> Scores:
    """Pairwise scores over pairs published at most PAIR_SPAN apart."""
    tp = fp = fn = cross = cross_joined = 0
    for a, b in combinations(reports, 2):
        if abs(a["published"] - b["published"]) > PAIR_SPAN:
            continue
        gold = a["event"] == b["event"]
        sa, sb = story_of.get(url_of(a)), story_of.get(url_of(b))
        pred = sa is not None and sa == sb
        tp += gold and pred
        fp += pred and not gold
        fn += gold and not pred
        if gold and a["lang"] != b["lang"]:
            cross += 1
            cross_joined += pred
    events: dict[str, int] = defaultdict(int)
    for r in reports:
        events[r["event"]] += 1
    sizes: dict[int | None, int] = defaultdict(int)
    for r in reports:
        sizes[story_of.get(url_of(r))] += 1
    singles = [r for r in reports if events[r["event"]] == 1]
    merged = sum(1 for r in singles if sizes[story_of.get(url_of(r))] > 1)
    p = tp / (tp + fp) if tp + fp else 1.0
    rc = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * p * rc / (p + rc) if p + rc else 0.0
    return Scores(
        p, rc, f1, cross_joined, cross, merged, len(singles), len(set(sizes)), len(reports)
    )


def evaluate(part: str) -> tuple[Scores, dict[str, int | None]]:
    """Run the whole pipeline on one part of the set and score it."""
    reports = load(part)
    with tempfile.TemporaryDirectory() as tmp:
        story_of = run_once(reports, Path(tmp))
    return score(reports, story_of), story_of


def main(argv: list[str]) -> int:
    for part in argv or ["dev", "blind", "all"]:
        scores, story_of = evaluate(part)
        print(scores.line(part))
        if "-v" in sys.argv:
            groups: dict[int | None, list[str]] = defaultdict(list)
            for url, s in story_of.items():
                groups[s].append(url.rsplit("/", 1)[1])
            for s, ids in sorted(groups.items(), key=lambda x: str(x[0])):
                print(f"  story {s}: {' '.join(sorted(ids))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main([a for a in sys.argv[1:] if a != "-v"]))


__all__ = ["Scores", "datetime", "evaluate", "load", "score"]
