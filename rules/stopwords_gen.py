"""Generate the stop-word lists language detection shortlists with (`rules/langid/stopwords.tsv`).

Every language lingua knows gets spaCy's stop words for it (spacy.lang.<code>.
stop_words), in lower case, plus the hand lists of rules/curated/langid/stopwords.yaml
for those spaCy has none for; Serbian's list is given in Latin letters too
(Serbian is written in both). Output is deterministic. Run
`python -m rules.stopwords_gen` (`make stopwords`).

A developer tool: it imports spaCy's language modules, which detection must
not do at run time (rules.lang reads the generated file only).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import yaml

LANGID_DIR = Path(__file__).resolve().parent / "langid"
CURATED = Path(__file__).resolve().parent / "curated" / "langid" / "stopwords.yaml"
OUTPUT = LANGID_DIR / "stopwords.tsv"

_SR_LATIN = dict(
    zip(
        "абвгдђежзијклљмнњопрстћуфхцчџш",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "đ",
            "e",
            "ž",
            "z",
            "i",
            "j",
            "k",
            "l",
            "lj",
            "m",
            "n",
            "nj",
            "o",
            "p",
            "r",
            "s",
            "t",
            "ć",
            "u",
            "f",
            "h",
            "c",
            "č",
            "dž",
            "š",
        ],
        strict=True,
    )
)


def sr_latin(word: str) -> str:
    """A Serbian Cyrillic word in Latin letters (gajica)."""
    return "".join(_SR_LATIN.get(c, c) for c in word)


def lingua_codes() -> list[str]:
    """ISO 639-1 codes of every language lingua knows."""
    from lingua import Language

    return sorted(lang.iso_code_639_1.name.lower() for lang in Language.all())


def spacy_stop_words(code: str) -> set[str]:
    """spaCy's stop words for `code`, lower case; empty when spaCy has none."""
    try:
        module = importlib.import_module(f"spacy.lang.{code}.stop_words")
    except ImportError:
        return set()
    return {w.lower() for w in module.STOP_WORDS if w.strip() and not any(c.isspace() for c in w)}


def build(curated: dict[str, object], codes: list[str]) -> dict[str, list[str]]:
    """Every language's stop words: spaCy's, the curated lists, borrowed lists."""
    lists: dict[str, set[str]] = {c: spacy_stop_words(c) for c in codes}
    if lists.get("sr"):
        lists["sr"] |= {sr_latin(w) for w in lists["sr"]}
    for code, words in curated.items():
        if code != "from":
            assert isinstance(words, list), code
            lists.setdefault(code, set()).update(str(w).lower() for w in words)
    borrowed = curated.get("from") or {}
    assert isinstance(borrowed, dict)
    for code, sources in borrowed.items():
        lists.setdefault(code, set()).update(w for s in sources for w in lists.get(s, ()))
    return {c: sorted(w) for c, w in sorted(lists.items()) if w}


def render(lists: dict[str, list[str]]) -> str:
    """One line a language: its code, a tab, its words separated by spaces."""
    return "".join(f"{code}\t{' '.join(words)}\n" for code, words in lists.items())


def main() -> int:
    curated = yaml.safe_load(CURATED.read_text(encoding="utf-8")) or {}
    lists = build(curated, lingua_codes())
    OUTPUT.write_text(render(lists), encoding="utf-8")
    missing = sorted(set(lingua_codes()) - set(lists))
    sys.stdout.write(f"{OUTPUT}: {len(lists)} languages; none for {', '.join(missing) or '-'}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
