"""`wirewatch match`: the explanation and the JSON keep the spine's shape and add why."""

from __future__ import annotations

import json

import pytest

from tests.rules.conftest import DATA, MULTI
from tests.support.cli import wirewatch

pytestmark = pytest.mark.slow  # every test here starts wirewatch in a process

TEXT = "North Korea tested a missile.\n\nRussland schweigt."


def match(*extra: str) -> str:
    rules = ("--rules", str(MULTI), "--rules", str(DATA / "watches.yaml"))
    result = wirewatch("match", *extra, "--lang", "en", *rules, "-", input=TEXT)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_match_json_adds_rule_and_score_to_the_public_shape() -> None:
    out = json.loads(match("--json"))
    assert {"source", "lang", "actors", "watches"} <= set(out)
    [prk] = out["actors"]["PRK"]
    assert TEXT[prk["start"] : prk["end"]] == prk["text"] == "North Korea"
    weighted = next(w for w in out["watches"] if w["id"] == "weighted")
    assert weighted["rule_file"].endswith("watches.yaml") and weighted["rule_version"] == "w-1"
    [evidence] = weighted["evidence"]
    assert evidence["score"] == 4.0 and evidence["terms"] == ["missile"]
    assert {"text", "actors", "start", "end", "mentions"} <= set(evidence)


def test_match_explains_terms_scores_and_rule_version() -> None:
    out = match()
    assert "FIRES weighted [medium]: any of RUS, PRK in one sentence with weights" in out
    assert "version w-1" in out
    assert "terms: missile score 4 **North Korea** tested a missile." in out


def test_match_reports_unwatched_actors_only_when_asked() -> None:
    rules = ("--rules", str(MULTI), "--rules", str(DATA / "watches.yaml"))
    text = "France and North Korea held talks."
    outs = [
        json.loads(wirewatch("match", *flag, "--json", *rules, "-", input=text).stdout)
        for flag in ((), ("--all-actors",))
    ]
    assert sorted(outs[0]["actors"]) == ["PRK"]
    assert sorted(outs[1]["actors"]) == ["FRA", "PRK"]
    assert outs[0]["lang"] == outs[1]["lang"] == "en"
