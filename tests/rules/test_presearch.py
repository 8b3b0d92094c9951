"""The presearch finds names in every script of a text; an unsure language is matched for real."""

from __future__ import annotations

from pathlib import Path

from rules.engine import Engine
from rules.inflect import fold
from rules.lang import frequent_words
from rules.load import RuleSet, load_rules
from rules.presearch import DFA_KEYS, WordPresearch, _make, forms_of, word_presearch


def test_each_script_of_a_text_is_searched(library_engine: Engine) -> None:
    search = word_presearch(library_engine.rules, ["RUS", "PRK"])
    # Latin, Hangul and Cyrillic names in one text: each is found.
    mixed = search.scan(fold("Moskau und Pjöngjang: 북한과 러시아, «Россия» — KCNA."))
    assert "RUS" in mixed["de"] and "PRK" in mixed["de"]
    assert {"RUS", "PRK"} <= mixed["ko"].keys()
    assert "RUS" in mixed["ru"]
    # Latin with diacritics (not ASCII) finds the names whose letters are all ASCII.
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


def test_an_unsure_language_is_chosen_by_names_and_look_alikes(library_engine: Engine) -> None:
    # Danish and Norwegian share "russisk"; only the Danish library excludes "russisk
    # roulette". lingua cannot tell them apart on one sentence, so the languages are
    # matched for real, and a look-alike a language knows counts for that language.
    result = library_engine.match(
        "Han spillede russisk roulette med sin karriere.", all_actors=True
    )
    assert "RUS" not in result.mentions
    # A real mention is still found, whichever of the two wins.
    found = library_engine.match("Han rejste til Rusland i går.", all_actors=True)
    assert "RUS" in found.mentions


def test_the_presearch_is_read_back_from_its_cache(library_engine: Engine, tmp_path: Path) -> None:
    rules = library_engine.rules
    texts = [fold(t) for t in ("Moskau und Pjöngjang", "북한과 러시아", "Кремль", "nothing")]
    made = word_presearch(rules, ["RUS", "PRK"], tmp_path)
    [cache] = tmp_path.glob("presearch-*.pickle")
    read = word_presearch(rules, ["RUS", "PRK"], tmp_path)
    assert read.scripts == made.scripts and read.bounds == made.bounds
    assert [read.scan(t) for t in texts] == [made.scan(t) for t in texts]
    assert read.scan(texts[0])["de"].keys() == {"RUS", "PRK"}
    # Other actors, or other names of theirs, are another cache.
    word_presearch(rules, ["RUS"], tmp_path)
    renamed = dict(rules.actors)
    renamed["PRK"] = rules.actors["PRK"].model_copy(update={"names": {"de": ["Nordkorea"]}})
    other = word_presearch(RuleSet(renamed, rules.watches, rules.cues), ["RUS", "PRK"], tmp_path)
    assert len(list(tmp_path.glob("presearch-*.pickle"))) == 3
    assert "PRK" not in other.scan(fold("Pjöngjang")).get("de", {})
    # A damaged cache is made again, and rewritten.
    cache.write_bytes(b"not a pickle")
    again = word_presearch(rules, ["RUS", "PRK"], tmp_path)
    assert [again.scan(t) for t in texts] == [made.scan(t) for t in texts]
    assert cache.read_bytes() != b"not a pickle"


def test_keys_extending_an_open_ended_key_are_dropped() -> None:
    # Korean attaches particles and CJK has no spaces: "북한" needs no boundary after it,
    # so "북한이" finds nothing it does not; a key for another actor stays.
    ko, prk, x = ("ko", "PRK"), ("ko", "PRK"), ("ko", "X")
    search = WordPresearch()
    search._keys = {
        "북한": (prk,),
        "북한이": (ko,),
        "북한군": (prk, x),
        "北朝鲜": (("zh", "PRK"),),
        "北朝鲜人": (("zh", "PRK"),),
        "russia": (("en", "RUS"),),
        "russias": (("en", "RUS"),),  # a Latin key needs a boundary: both stay
    }
    search.prune()
    assert set(search._keys) == {"북한", "북한군", "北朝鲜", "russia", "russias"}
    built = search.build()
    assert built.scan(fold("북한이 발표했다"))["ko"] == {"PRK": 1}
    assert built.scan(fold("北朝鲜人说"))["zh"] == {"PRK": 1}


def test_the_shipped_watch_presearch_is_small_enough_for_the_fast_automaton(
    library_engine: Engine,
) -> None:
    search = word_presearch(library_engine.rules, ["RUS", "PRK"])
    assert len(search.pairs) <= DFA_KEYS
    found = search.scan(fold("북한이 러시아와 회담했다. 北朝鮮とロシアが会談した"))
    assert found["ko"].keys() == {"PRK", "RUS"} and found["ja"].keys() == {"PRK", "RUS"}


def test_a_frequent_word_is_no_key_where_its_name_has_a_rarer_one() -> None:
    # Every English text saying "north" (or "security") was a candidate while
    # "North Korea" was keyed on it.
    rules = load_rules(shipped_watches=True)
    made = _make(rules, ["PRK", "RUS"])
    rank = frequent_words()
    for key, pairs in made._keys.items():
        for lang, actor in pairs:
            if key not in (rank.get(lang) or rank["*"]):
                continue
            # Only a frequent name of its own (German "russischen") keys on itself.
            ones = [n for n in rules.actors[actor].names.get(lang, []) if len(n.split()) == 1]
            assert any(key in forms_of(fold(n), n, lang, first=True, last=True) for n in ones), (
                key,
                lang,
                actor,
            )
    search = made.build()
    assert search.scan(fold("The north wing's security service said the state was calm.")) == {}
    assert "PRK" in search.scan(fold("North Korea fired a missile."))["en"]
