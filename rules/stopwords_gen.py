"""Generate the stop-word lists language detection shortlists with (`rules/langid/stopwords.tsv`),
and the frequent words the presearch avoids as keys (`rules/langid/frequent.tsv`).

Every language lingua knows gets spaCy's stop words for it (spacy.lang.<code>.
stop_words), in lower case, plus the hand lists of rules/curated/langid/stopwords.yaml
for those spaCy has none for; Serbian's list is given in Latin letters too
(Serbian is written in both). Output is deterministic. Run
`python -m rules.stopwords_gen` (`make stopwords`).

The frequent words are those of spacy-lookups-data's word probabilities (English,
German, Spanish, Greek: the languages it has them for) above FREQUENT, of three
letters or more, folded as texts are (rules.inflect.fold): "north", "security",
"state". A name's key (rules.presearch) is another of its words where it can be:
"korea" for North Korea, or every English text saying "north" is a candidate.

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
FREQUENT_OUTPUT = LANGID_DIR / "frequent.tsv"
# A word's log probability above which it is frequent: ~3,000 words a language
# ("north" -10.7, "security" -10.0; "korea" -13.1, "russische" -11.3).
FREQUENT = -11.0

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


def frequent_words() -> dict[str, list[str]]:
    """Per language spacy-lookups-data has probabilities for, its frequent words,
    folded, the most frequent first."""
    import gzip
    import json

    import spacy_lookups_data  # type: ignore[import-untyped]

    from rules.inflect import fold

    folder = Path(spacy_lookups_data.__file__).parent / "data"
    out: dict[str, list[str]] = {}
    for path in sorted(folder.glob("*_lexeme_prob.json.gz")):
        code = path.name.split("_", 1)[0]
        with gzip.open(path, "rt", encoding="utf-8") as f:
            probs: dict[str, float] = json.load(f)
        ranked = sorted(probs.items(), key=lambda wp: (-wp[1], wp[0]))
        # Written in lower case: the common words, not the names ("Korea", "Russia").
        out[code] = list(
            dict.fromkeys(
                fold(w)
                for w, p in ranked
                if p > FREQUENT and len(w) >= 3 and w.isalpha() and w.islower()
            )
        )
    return out


def render(lists: dict[str, list[str]]) -> str:
    """One line a language: its code, a tab, its words separated by spaces."""
    return "".join(f"{code}\t{' '.join(words)}\n" for code, words in lists.items())


def main() -> int:
    curated = yaml.safe_load(CURATED.read_text(encoding="utf-8")) or {}
    lists = build(curated, lingua_codes())
    OUTPUT.write_text(render(lists), encoding="utf-8")
    frequent = frequent_words()
    FREQUENT_OUTPUT.write_text(render(frequent), encoding="utf-8")
    sys.stdout.write(f"{FREQUENT_OUTPUT}: {', '.join(frequent)}\n")
    missing = sorted(set(lingua_codes()) - set(lists))
    sys.stdout.write(f"{OUTPUT}: {len(lists)} languages; none for {', '.join(missing) or '-'}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
