"""The seed article: a German report that never says Russia or North Korea in English."""

from __future__ import annotations

import json

import pytest

from tests.conftest import SEED_ARTICLE
from tests.support.cli import wirewatch

pytestmark = pytest.mark.slow  # every test here starts wirewatch in a process


def test_match_fires_on_the_seed_with_evidence_sentences() -> None:
    result = wirewatch("match", "--json", str(SEED_ARTICLE))
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    text = SEED_ARTICLE.read_text(encoding="utf-8")
    assert out["source"] == str(SEED_ARTICLE)
    assert out["lang"] == "de"
    for actor, mentions in out["actors"].items():
        for m in mentions:
            assert text[m["start"] : m["end"]] == m["text"], actor
    rus = {m["text"] for m in out["actors"]["RUS"]}
    prk = {m["text"] for m in out["actors"]["PRK"]}
    assert {"Russland", "russischen", "Moskau", "Moskaus", "Kreml", "Putin"} <= rus
    assert {"Nordkorea", "nordkoreanische", "Pjöngjang", "Kim Jong Un", "Kim"} <= prk

    [watch] = out["watches"]
    assert watch["id"] == "russia-north-korea"
    evidence = watch["evidence"]
    assert all(sorted(e["actors"]) == ["PRK", "RUS"] for e in evidence)
    assert any(
        "Kreml" in e["text"] and "Putin" in e["text"] and "Kim" in e["text"] for e in evidence
    )
    assert any("Moskau" in e["text"] and "Pjöngjang" in e["text"] for e in evidence)
    # The relation: cooperation, told by cue words that are in the text where they say.
    cues = [c for e in evidence for c in e["relation"]["cues"]]
    assert {"Telefonat", "Zusammenarbeit", "Munition"} <= {c["text"] for c in cues}
    for c in cues:
        assert text[c["start"] : c["end"]] == c["text"]
    assert all(e["relation"]["class"].endswith("cooperation") for e in evidence)
    assert all(e["relation"]["pair"] == ["RUS", "PRK"] for e in evidence)
    for e in evidence:
        assert text[e["start"] : e["end"]] == e["text"]


def test_match_explains_in_words_with_names_marked() -> None:
    result = wirewatch("match", str(SEED_ARTICLE))
    assert result.returncode == 0, result.stderr
    assert (
        "FIRES russia-north-korea [high]: pair RUS, PRK in cooperation "
        "(a cue word within 2 adjacent sentences; lists do not count)"
    ) in result.stdout
    assert "cues: Telefonat (verbal cooperation), versprochen (verbal cooperation)" in (
        result.stdout
    )
    assert "**Kreml**" in result.stdout and "**Pjöngjang**" in result.stdout


def test_match_reads_stdin_and_stays_silent_without_both_actors() -> None:
    result = wirewatch(
        "match",
        "--json",
        "--lang",
        "de",
        "-",
        input="Der Kreml hat am Dienstag neue Zölle angekündigt.",
    )
    out = json.loads(result.stdout)
    assert out["source"] == "-"
    assert [m["text"] for m in out["actors"]["RUS"]] == ["Kreml"]
    assert out["watches"] == []
