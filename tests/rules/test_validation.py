"""Rule files: every error of a file at once, each as path:line:col with a suggestion."""

from __future__ import annotations

from pathlib import Path

import pytest

from rules.errors import RuleFileErrors
from rules.load import load_rules
from tests.rules.conftest import MULTI

BROKEN = """\
watches:
  - id: one
    all: [RUS, PKR]
    scope: sentense
    cooldown: soon
  - id: two
    any: [RUS]
    scope: {within: 0}
    weights: {RUS: 2, troups: 1}
    terms: {en: [troops]}
  - id: three
    any: [RUS]
    treshold: 2
"""


def test_every_error_is_reported_with_its_place(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(RuleFileErrors) as e:
        load_rules([MULTI, path], shipped_actors=False)
    assert str(e.value).splitlines() == [
        f"{path}:4:12: watches.0.scope: 'sentense' is not a scope; use sentence, paragraph, "
        "article, {within: N} or {sentences: N} (did you mean 'sentence'?)",
        f"{path}:5:15: watches.0.cooldown: 'soon' is not a duration (use e.g. 30s, 15m, 6h, 2d)",
        f"{path}:8:21: watches.1.scope.within: input should be greater than or equal to 1",
        f"{path}:13:5: unknown key 'treshold' (did you mean 'threshold'?)",
    ]


def test_references_are_checked_once_the_file_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "refs.yaml"
    path.write_text(
        BROKEN.replace("    scope: sentense\n    cooldown: soon\n", "")
        .replace("scope: {within: 0}", "scope: {within: 5}")
        .replace("treshold", "threshold"),
        encoding="utf-8",
    )
    with pytest.raises(RuleFileErrors) as e:
        load_rules([MULTI, path], shipped_actors=False)
    assert str(e.value).splitlines() == [
        f"{path}:3:16: unknown actor 'PKR' (did you mean 'PRK'?)",
        f"{path}:7:5: weights need a 'threshold'",
        f"{path}:7:23: weight for 'troups', which is neither an actor of this watch nor one "
        "of its terms (did you mean 'troops'?)",
    ]


def test_an_exclusion_that_is_a_form_of_a_name_is_refused(tmp_path: Path) -> None:
    # Every "Russe" would lie inside the exclusion "Russen" (one of its forms): the
    # name would never count again. A longer phrase is what was meant.
    path = tmp_path / "exclude.yaml"
    path.write_text(
        "actors:\n"
        "  - id: RUS\n"
        "    exclude:\n"
        "      de: [Russische Eier, Russen]\n"
        "  - id: PRK\n"
        "    exclude:\n"
        "      ko: [북쪽]\n",  # north side: no form of 북, the headline North Korea
        encoding="utf-8",
    )
    with pytest.raises(RuleFileErrors) as e:
        load_rules([path])
    assert str(e.value).splitlines() == [
        f"{path}:4:28: exclusion 'Russen' of RUS is a form of its name 'Russe' (de): it "
        "would silence every 'Russe'; exclude the longer phrase it is part of",
    ]
    path.write_text(path.read_text().replace(", Russen", ""), encoding="utf-8")
    assert "Russische Eier" in load_rules([path]).actors["RUS"].exclude["de"]


def test_the_shipped_exclusions_silence_no_name() -> None:
    from rules.document import Document
    from rules.load import _check_exclusions

    rules = load_rules()
    doc = Document(Path("shipped"), {}, {}, {})
    for actor in rules.actors.values():
        assert _check_exclusions(doc, (), actor, actor) == [], actor.id
