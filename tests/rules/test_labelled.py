"""The engine with the shipped library, scored on the labelled passages.

Floors were set from what the engine achieved when the set was written
(`python -m tests.rules.labelled_report` prints the table); raise them when
matching improves, never lower them to make a change pass.
"""

from __future__ import annotations

import pytest

from rules.engine import Engine
from tests.rules.labelled_report import Report, load_passages, run

F1_FLOORS = {
    "BLR": 0.97,
    "CHN": 0.93,
    "GEO": 0.95,
    "IRN": 0.97,
    "KOR": 0.92,
    "PRK": 0.94,
    "RUS": 0.97,
    "UKR": 0.96,
    "USA": 0.90,
}
MIN_PRECISION = 0.90
MIN_RECALL = 0.84  # USA, KOR: two-actor abbreviations (주한미군, 美韩, 米韓; see the report)
MIN_F1_ALL = 0.96
# Undeclared language: the engine detects it (short texts included).
MIN_F1_DETECTED = 0.95
MIN_LANG_RIGHT = 0.95
# Actors with only a few look-alike passages (Turkey the bird, Mali: financial).
MIN_F1_OTHERS = 0.9
# Every language with at least this many expected actors scores at least MIN_F1_LANG.
MIN_POSITIVES = 5
MIN_F1_LANG = 0.9
# The blind part (tests/data/labelled/blind/), never tuned against: floors set
# from its first measurement (0.990 overall, 2026-11-28), a little below it.
MIN_F1_BLIND = 0.97

# The look-alikes issue #3 names; each must occur in a passage that must stay silent.
LOOKALIKES = [
    "Russian dressing",
    "russische Eier",
    "Russisch Brot",
    "montaña rusa",
    "montagnes russes",
    "Borussia",
    "Weißrussland",
    "Südkorea",
    "Республика Корея",
    "한국 정부",
    "Korean War memorial",
    "Kim Kardashian",
    "Moscow, Idaho",
    "St. Petersburg, Florida",
    "Atlanta, Georgia",
    # issue #10's languages
    "Wit-Russische",
    "Borussia Dortmund won",
    "russisk roulette",
    "ruskou ruletu",
    "Valko-Venäjällä",
    "Baltarusijos",
    "Thu Nga",
    "Georgia menandatangani",
    "其中俄罗斯",
    "暴露",
    "여러 나라",
]


# The whole library in 47 languages is compiled once (shared with test_languages).
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def engine(library_engine: Engine) -> Engine:
    return library_engine


@pytest.fixture(scope="module")
def report(engine: Engine) -> Report:
    return run(load_passages(blind=False), engine)


def test_the_set_is_large_and_multilingual() -> None:
    passages = load_passages()
    assert len(passages) >= 600
    langs = {p.lang for p in passages}
    assert {"de", "en", "fr", "es", "ru", "uk", "ko", "ja", "zh", "pl", "ar", "tr"} <= langs
    assert len(langs) >= 30
    # A third of it is blind, in at least 30 languages too.
    blind = [p for p in passages if p.blind]
    assert len(blind) * 3 >= len(passages)
    assert len({p.lang for p in blind}) >= 30
    assert all(p.actors or p.silent for p in passages)
    for phrase in LOOKALIKES:
        assert any(phrase in p.text and p.silent for p in passages), phrase


def test_every_lookalike_passage_is_silent(report: Report) -> None:
    loud = [
        (o.passage.file, sorted(o.found & o.passage.silent), o.passage.text)
        for o in report.outcomes
        if o.passage.silent and not o.passage.known and o.found & o.passage.silent
    ]
    assert loud == []


@pytest.mark.parametrize("actor", sorted(F1_FLOORS))
def test_per_actor_scores_stay_above_their_floors(report: Report, actor: str) -> None:
    score = report.by_actor[actor]
    assert score.f1 >= F1_FLOORS[actor], (score.precision, score.recall)
    assert score.precision >= MIN_PRECISION
    assert score.recall >= MIN_RECALL


def test_overall_and_other_actors_stay_above_their_floors(report: Report) -> None:
    assert set(F1_FLOORS) <= set(report.by_actor)
    assert report.total.f1 >= MIN_F1_ALL
    others = {a: s.f1 for a, s in report.by_actor.items() if a not in F1_FLOORS}
    assert {a: f1 for a, f1 in others.items() if f1 < MIN_F1_OTHERS} == {}


def test_no_language_with_enough_positives_is_below_its_floor(report: Report) -> None:
    low = {
        lang: round(s.f1, 3)
        for lang, s in report.by_lang.items()
        if s.tp + s.fn >= MIN_POSITIVES and s.f1 < MIN_F1_LANG
    }
    assert low == {}


def test_the_blind_part_scores_above_its_floors(engine: Engine) -> None:
    blind = run(load_passages(blind=True), engine)
    assert blind.total.f1 >= MIN_F1_BLIND, blind.total
    low = {
        lang: round(s.f1, 3)
        for lang, s in blind.by_lang.items()
        if s.tp + s.fn >= MIN_POSITIVES and s.f1 < MIN_F1_LANG
    }
    assert low == {}


def test_with_the_language_detected_instead_of_declared(engine: Engine) -> None:
    detected = run(load_passages(), engine, detect=True)
    # Only texts that name an actor are detected at all (the presearch
    # stops the others first, whatever their language).
    named = [o for o in detected.outcomes if o.passage.actors]
    right = sum(o.lang == o.passage.lang for o in named) / len(named)
    assert right >= MIN_LANG_RIGHT
    assert detected.total.f1 >= MIN_F1_DETECTED


# As `wirewatch match --json` runs by default (the shipped watch, its actors only, no
# language given): floors from the first measurement (tuned .995/.989, blind
# .990/.992 for RUS/PRK, 2026-11-29), a little below it.
MIN_F1_WATCHED = {"RUS": 0.98, "PRK": 0.98}


def test_as_match_runs_with_the_shipped_watch() -> None:
    for blind in (False, True):
        # Known errors (Finnish compounds: pohjoiskorealaissotilaat) are in the report.
        passages = [p for p in load_passages(blind=blind) if not p.known]
        report = run(passages, watched=True)
        for actor, floor in MIN_F1_WATCHED.items():
            assert report.by_actor[actor].f1 >= floor, (blind, actor, report.by_actor[actor])
        low = {
            lang: round(s.f1, 3)
            for lang, s in report.by_lang.items()
            if s.tp + s.fn >= MIN_POSITIVES and s.f1 < MIN_F1_LANG
        }
        assert low == {}, blind
