"""A compiled lexicon is kept in the cache folder and read back the same."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy

from rules.engine import Engine, mentions
from rules.inflect import fold
from rules.lexicon import Lexicon, compile_lexicon
from rules.library import CACHE_DAYS
from rules.load import RuleSet

TEXTS = {
    "de": [
        "MOSKAU (dpa) - Der Kreml und Pjöngjang: Russlands Präsident sprach mit Kim Jong Un.",
        "Die nordkoreanischen Truppen stehen an der Seite Russlands, sagte Putin.",
        "Russischer Salat und russisches Roulette sind keine Nachricht.",
        "Nichts von Belang.",
    ],
    "ru": ["Путин и Ким Чен Ын обсудили в Пхеньяне поставки КНДР в Россию."],
    "ja": ["露朝首脳が会談、正恩氏はロシアとの協力を強調した。"],
}


def found(lex: Lexicon, text: str) -> list[tuple[int, int, str]]:
    doc = lex.doc(fold(text))
    return [(s.start, s.end, s.label_) for s in mentions(doc, lex, {"RUS", "PRK"})]


def test_a_lexicon_is_read_back_from_its_cache(library_engine: Engine, tmp_path: Path) -> None:
    rules = library_engine.rules
    for lang, texts in TEXTS.items():
        nlp = library_engine.pipelines.get(lang)
        fresh = compile_lexicon(rules, lang, nlp)  # no cache
        made = compile_lexicon(rules, lang, nlp, tmp_path)
        read = compile_lexicon(rules, lang, nlp, tmp_path)
        for lex in (made, read):
            assert numpy.array_equal(lex.norms.orths, fresh.norms.orths)
            assert numpy.array_equal(lex.norms.classes, fresh.norms.classes)
            assert len(lex.names) == len(fresh.names) and len(lex.exclude) == len(fresh.exclude)
            assert [found(lex, t) for t in texts] == [found(fresh, t) for t in texts]
            assert [lex.presearch.scan(fold(t)) for t in texts] == [
                fresh.presearch.scan(fold(t)) for t in texts
            ]
        assert found(read, texts[0]), lang  # the texts do name the actors
    assert len(list(tmp_path.glob("lexicon-*.pickle"))) == len(TEXTS)


def test_other_names_are_another_cache_and_a_damaged_one_is_made_again(
    library_engine: Engine, tmp_path: Path
) -> None:
    rules = library_engine.rules
    nlp = library_engine.pipelines.get("de")
    compile_lexicon(rules, "de", nlp, tmp_path)
    [cache] = tmp_path.glob("lexicon-*.pickle")
    # A new name of an actor: a cache of its own, and the name is found.
    renamed = dict(rules.actors)
    names = {**rules.actors["PRK"].names, "de": [*rules.actors["PRK"].names["de"], "Juche-Land"]}
    renamed["PRK"] = rules.actors["PRK"].model_copy(update={"names": names})
    other = compile_lexicon(RuleSet(renamed, rules.watches, rules.cues), "de", nlp, tmp_path)
    assert len(list(tmp_path.glob("lexicon-*.pickle"))) == 2
    assert [label for *_, label in found(other, "Das Juche-Land droht.")] == ["PRK"]
    # A damaged cache is compiled again, and rewritten.
    cache.write_bytes(b"not a pickle")
    again = compile_lexicon(rules, "de", nlp, tmp_path)
    assert found(again, TEXTS["de"][0]) == found(compile_lexicon(rules, "de", nlp), TEXTS["de"][0])
    assert cache.read_bytes() != b"not a pickle"


def test_an_engine_with_a_cache_matches_as_one_without(
    library_engine: Engine, tmp_path: Path
) -> None:
    texts = [t for ts in TEXTS.values() for t in ts]
    expected = [library_engine.match(t) for t in texts]
    for _ in range(2):  # compiled into the cache, then read from it
        engine = Engine(library_engine.rules, cache_dir=tmp_path)
        assert [engine.match(t) for t in texts] == expected


def test_caches_unused_for_a_month_go_when_one_is_written(
    library_engine: Engine, tmp_path: Path
) -> None:
    month = CACHE_DAYS * 86400
    old, recent, other = (tmp_path / n for n in ("lexicon-old", "lexicon-recent", "actors-old"))
    for path, age in ((old, month + 60), (recent, month - 3600), (other, month + 60)):
        path.write_bytes(b"")
        os.utime(path, (time.time() - age, time.time() - age))
    nlp = library_engine.pipelines.get("de")
    compile_lexicon(library_engine.rules, "de", nlp, tmp_path)
    [written] = set(tmp_path.glob("lexicon-*.pickle"))
    assert not old.exists() and recent.exists()
    assert other.exists()  # another kind of cache: pruned when one of its kind is written
    # Reading a cache marks it used.
    os.utime(written, (time.time() - month - 60, time.time() - month - 60))
    compile_lexicon(library_engine.rules, "de", nlp, tmp_path)
    assert time.time() - written.stat().st_mtime < 60


def test_choosing_a_language_reads_only_the_names_presearch(
    library_engine: Engine, tmp_path: Path
) -> None:
    text = "Der Kreml und Pjöngjang: Russland und Nordkorea unterzeichnen einen Vertrag."
    Engine(library_engine.rules, cache_dir=tmp_path).match(text)  # fills the cache
    engine = Engine(library_engine.rules, cache_dir=tmp_path)
    assert engine.language(text) == "de"
    assert not engine._lexicons  # no pipeline, no matchers: the cached presearch only
    assert engine.names_presearch("de").scan(fold(text))["de"].keys() >= {"RUS", "PRK"}
    result = engine.match(text, lang="de", all_actors=True)
    assert {"RUS", "PRK"} <= result.mentions.keys()
    assert engine.lexicon("de").presearch is engine.names_presearch("de")  # built once
