"""Counting a language's names without spaCy (rules.words), as choosing a language does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from rules.engine import Engine, focus, mentions
from rules.inflect import fold
from rules.load import load_rules
from rules.words import around, words
from tests.rules.labelled_report import load_passages

ROOT = Path(__file__).resolve().parents[2]
# A spread of scripts and of ways to write names: cases, particles, elision,
# hyphens, joiners, abbreviations with periods, per-character scripts.
LANGS = (
    "en",
    "de",
    "fr",
    "it",
    "pt",
    "ru",
    "uk",
    "pl",
    "fi",
    "tr",
    "ar",
    "fa",
    "he",
    "hi",
    "ko",
    "ja",
    "zh",
)


def test_words_are_chunks_without_their_outer_marks() -> None:
    text = "«u.s. officials», (norte-coreanos) l'italia rusya'nın ג׳ונג پیونگ‌یانگ रूस 3.5..."
    assert words(text) == [
        "«", "u.s", ".", "officials", "»", ",", "(", "norte-coreanos", ")", "l'italia",
        "rusya'nın", "ג׳ונג", "پیونگ‌یانگ", "रूस", "3.5", ".", ".", ".",
    ]  # fmt: skip


def test_around_keeps_whole_words_near_the_places() -> None:
    text = "x " * 200 + "Moskau sagt" + " y" * 200 + " Kreml"
    kept = around(text, [text.index("Moskau"), text.index("Kreml")])
    assert "x x Moskau sagt y y" in kept and kept.endswith("y Kreml")
    assert kept.count("x") <= 41 and kept.count("y") <= 82  # 80 characters either side
    long = "a" * 300 + " Kreml"
    assert around(long, [301]) == long  # a word running into the stretch is kept whole


@pytest.fixture(scope="module")
def library() -> Engine:
    return Engine(load_rules(shipped_watches=True))


def test_the_count_is_spacys_on_labelled_passages(library: Engine) -> None:
    # The count stands in for tokenizing with spaCy when detection is unsure: on
    # the labelled passages of these languages it is the same, but for a few
    # words a language's own tokenizer rules split otherwise (tr "'rus", ro "-un").
    same = differ = 0
    for p in load_passages():
        if p.lang not in LANGS:
            continue
        folded = fold(p.text)
        found = library._found(p.lang, folded)
        if not found:
            continue
        lex = library.lexicon(p.lang)
        doc = lex.doc(focus(folded, lex.presearch.places(folded), 0))
        spacy = sum(len(s) for s in mentions(doc, lex, set(found)))
        spacy += sum(end - start for _, start, end in lex.exclude(doc))
        if library._count(p.lang, folded, found) == spacy:
            same += 1
        else:
            differ += 1
    assert same > 500 and differ <= same // 100, (same, differ)


def test_choosing_a_language_does_not_import_spacy(tmp_path: Path) -> None:
    # Danish and Norwegian share "russisk"; the look-alike decides, counted without spaCy.
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from rules.engine import Engine\n"
        "from rules.load import load_rules\n"
        "cache = Path(sys.argv[1])\n"
        "engine = Engine(load_rules(shipped_watches=True, cache_dir=cache), cache_dir=cache)\n"
        "text = 'Han spillede russisk roulette med sin formue, skriver avisen i dag.'\n"
        "print(engine.language(text), 'spacy' in sys.modules)\n"
    )
    run = [sys.executable, "-c", code, str(tmp_path)]
    first = subprocess.run(run, cwd=ROOT, capture_output=True, text=True, check=True)
    again = subprocess.run(run, cwd=ROOT, capture_output=True, text=True, check=True)
    assert first.stdout.split()[0] == again.stdout.split()[0]
    assert again.stdout.split()[1] == "False", again.stdout  # the cache holds what it needs
    # Counting reads its own tables, not the compiled patterns' Python objects.
    assert list(tmp_path.glob("counts-*.pickle"))
