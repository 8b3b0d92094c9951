"""The presearch runs one automaton per script: what a text holds decides which run."""

from __future__ import annotations

from rules.engine import Engine
from rules.inflect import fold
from rules.presearch import word_presearch


def test_each_script_of_a_text_is_searched_and_only_those(library_engine: Engine) -> None:
    search = word_presearch(library_engine.rules, ["RUS", "PRK"])
    # Latin, Hangul and Cyrillic names in one text: every script's automaton runs.
    mixed = search.scan(fold("Moskau und Pjöngjang: 북한과 러시아, «Россия» — KCNA."))
    assert "RUS" in mixed["de"] and "PRK" in mixed["de"]
    assert {"RUS", "PRK"} <= mixed["ko"].keys()
    assert "RUS" in mixed["ru"]
    # Latin with diacritics (not ASCII) takes the Latin automaton alone, and still
    # finds the names whose letters are all ASCII.
    latin = search.scan(fold("Der Kreml und Pjöngjang – „Russland“ und Nordkorea"))
    assert {"RUS", "PRK"} <= latin["de"].keys()
    assert "ko" not in latin and "ru" not in latin
    # A Korean name in a text that is otherwise Latin is found: the text's scripts are
    # read from all of it, not from a sample.
    tail = search.scan(fold("é" + " word" * 2000 + " 북한"))
    assert "PRK" in tail["ko"]


def test_a_text_in_a_script_no_name_is_written_in_finds_nothing(library_engine: Engine) -> None:
    search = word_presearch(library_engine.rules, ["RUS", "PRK"])
    assert search.scan(fold("ᐃᓄᒃᑎᑐᑦ ᑐᑭᓯᐊᕈᑎ")) == {}
    assert search.scan("") == {}
