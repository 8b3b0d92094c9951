"""Reports of one event in many languages become one story, end to end (issue #16).

The labelled story set (tests/data/stories/: dev and blind parts) goes
through `wirewatch run --once`, one local feed per language, into a SQLite
file and into PostgreSQL; the stories the store holds are scored against the
gold events.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.stories_eval import load, run_once, score, stored, url_of
from tests.support.cli import wirewatch


@pytest.mark.slow
def test_story_set_groups_events_across_languages_and_keeps_singletons_apart(
    tmp_path: Path, store_target: str
) -> None:
    store = store_target
    reports = load("all")
    story_of = run_once(reports, tmp_path, store)
    assert len(story_of) == len(reports)

    every = score(reports, story_of)
    blind = score(load("blind"), story_of)
    print(every.line("all"), blind.line("blind"), sep="\n")  # shown with -s
    assert every.f1 >= 0.80
    assert every.cross_recall >= 0.70
    assert every.singletons_merged <= every.singletons // 4
    assert blind.f1 >= 0.70

    # Distinct events with the same actors on the same day stay distinct.
    assert story_of[url_of({"id": "atacms-en-1"})] != story_of[url_of({"id": "doctrine-en-1"})]

    # A story lists its articles with languages and outlets, and says why each joined.
    story = story_of[url_of({"id": "swap-ru-1"})]
    shown = wirewatch("stories", str(story), "--db", store, "--json")
    assert shown.returncode == 0, shown.stderr
    rows = [json.loads(line) for line in shown.stdout.splitlines()]
    assert {r["lang"] for r in rows} >= {"ru", "de", "en", "fr"}
    assert len({r["outlet"] for r in rows}) == len(rows)
    joined = [r for r in rows if r["joined_by"] == "event"]
    assert joined and all(r["shared"] for r in joined)
    assert any(s["part"].startswith("p:") for r in joined for s in r["shared"])  # Ankara

    table = wirewatch("hits", "--story", str(story), "--db", store)
    assert table.returncode == 0, table.stderr
    assert "languages" in table.stdout and "event" in table.stdout

    methods = dict(stored(store, "SELECT method, COUNT(*) FROM story_joins GROUP BY method"))
    assert methods["new"] == len(set(story_of.values()))
