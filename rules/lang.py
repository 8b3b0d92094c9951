"""Which language a candidate text is in: script first, then lingua among few languages.

Detection runs only on texts the presearch made candidates, and only among
the languages whose names the presearch found there (a text can only match
names of its own language, so no other language needs to be told apart):

1. the script of a bounded sample of the text (Unicode character names)
   keeps the languages whose names are written in that script; a feed's
   declared language is kept when its script fits the text, so an
   aggregator that says `en` for a Korean item is not believed;
2. if more than one language is left, lingua ranks those it knows, in
   low-accuracy mode, on the same sample; one detector per set of
   languages, a bounded number of them (lingua shares the models).

Languages lingua does not know (about 220 of the library's ~300) stay
candidates after the ones it ranks; the engine then lets the names decide.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, OrderedDict
from collections.abc import Collection, Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

# Characters of a text looked at for its script and its language. lingua's
# time is linear in them (~1.3 us a character here): 600 cost a candidate
# 0.8 ms, more than spaCy. On the bench stream's 53 distinct candidate texts,
# 200 (and 100 for the first pass below) gave every text the language, names
# and hits that 300 (150) gave, and unknown-language matching ran 11% faster;
# 150 (80) changed three texts' language. The labelled set's detected
# languages and scores are the same with either.
SAMPLE_CHARS = 200
# Low-accuracy mode is sometimes confidently wrong on one sentence (Spanish
# as Italian, 0.98); below this the engine lets the names decide.
SURE = 0.99
# A script is a text's if this share of its letters is in it.
SCRIPT_SHARE = 0.2
_DETECTORS = 32  # detectors kept (one per set of candidate languages)
# lingua's cost is languages x characters. A text whose only names are given for every
# language (Kim Jong Un, KCNA) keeps every language of its script, 48 that lingua knows
# for Latin: those are first ranked on a short sample, and only the likeliest few again
# on the whole sample.
WIDE = 8
SHORTLIST = 4
SHORT_CHARS = 100
# Before that first pass, the sample's function words (rules/langid/stopwords.tsv:
# spaCy's stop words, hand lists for the few it lacks) shortlist the languages
# whose words are at least half as many as the likeliest's, when that one has
# STOP_HITS at least and they are SHORTLIST_MAX at most; lingua then ranks only
# those, and never loads the models of the others (47 Latin-script models, 54 MB
# and 0.4 s). On the labelled set's 633 Latin-script passages and the bench's
# 425 distinct texts no shortlist left out the text's language; in the lower
# case written words only (a capitalized Kim, sl "kim", is a name) and of two
# letters or more (the U. of U.S. is no Slovene word).
STOP_HITS = 3
SHORTLIST_MAX = 6
# Scripts written without spaces between words (names have no word boundary there).
UNSPACED_SCRIPTS = frozenset({"CJK", "KANA", "THAI", "LAO", "KHMER", "MYANMAR", "FULLWIDTH"})
_LATIN = frozenset({"LATIN"})
_FOLDED_SCRIPTS = {
    "KATAKANA-HIRAGANA": "KANA",
    "HIRAGANA": "KANA",
    "KATAKANA": "KANA",
    "HANGUL": "HANGUL",
}


@lru_cache(maxsize=4096)
def script_of(ch: str) -> str:
    """The script of a letter ("LATIN", "CYRILLIC", "CJK", "KANA", ...), "" if unnamed."""
    name = unicodedata.name(ch, "")
    word = name.split(" ", 1)[0]
    return _FOLDED_SCRIPTS.get(word, word)


def scripts(text: str, share: float = SCRIPT_SHARE) -> frozenset[str]:
    """The scripts holding at least `share` of the letters of `text`'s sample."""
    sample = text[:SAMPLE_CHARS]
    if sample.isascii():
        return _LATIN if any(c.isalpha() for c in sample) else frozenset()
    counts: Counter[str] = Counter()
    for c, n in Counter(sample).items():  # each distinct character once
        if c.isalpha():
            counts[script_of(c)] += n
    total = sum(counts.values())
    if not total:
        return frozenset()
    return frozenset(s for s, n in counts.items() if n >= share * total)


_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def _word_lists(name: str) -> dict[str, list[str]]:
    """A generated list of rules/langid/ (rules.stopwords_gen): each language's words."""
    path = Path(__file__).resolve().parent / "langid" / name
    lists = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        code, _, words = line.partition("\t")
        lists[code] = words.split(" ")
    return lists


@lru_cache(maxsize=1)
def stop_words() -> dict[str, tuple[str, ...]]:
    """Each stop word and the languages (lingua's codes) it is one of."""
    index: dict[str, list[str]] = {}
    for code, words in _word_lists("stopwords.tsv").items():
        for w in words:
            index.setdefault(w, []).append(code)
    return {w: tuple(codes) for w, codes in index.items()}


@lru_cache(maxsize=1)
def frequent_words() -> dict[str, dict[str, int]]:
    """Each language's frequent words (rules/langid/frequent.tsv) and their rank, the
    most frequent 0, where they are known; under "*", those of every language (CLDR's
    Shona and Ndebele write "North Korea" too)."""
    out: dict[str, dict[str, int]] = {"*": {}}
    for code, words in _word_lists("frequent.tsv").items():
        out[code] = {w: i for i, w in enumerate(words)}
        for w, i in out[code].items():
            out["*"][w] = min(i, out["*"].get(w, i))
    return out


@lru_cache(maxsize=1)
def listed_languages() -> frozenset[str]:
    """The languages with a stop-word list ("no" reads Bokmål's)."""
    codes = {c for langs in stop_words().values() for c in langs}
    return frozenset(codes | ({"no"} if "nb" in codes else set()))


@lru_cache(maxsize=4)
def _stop_hits(sample: str) -> dict[str, int]:
    """How many of `sample`'s words are each language's stop words (the engine asks
    for one text's twice: checking its names' language, then ranking)."""
    index = stop_words()
    hits: Counter[str] = Counter()
    for word in _WORD.findall(sample):
        if len(word) > 1 and word.islower():
            hits.update(index.get(word, ()))
    return dict(hits)


def stop_scores(sample: str, codes: Iterable[str]) -> dict[str, int]:
    """How many of `sample`'s words are function words of each of `codes`."""
    hits = _stop_hits(sample)
    return {c: hits.get("nb" if c == "no" else c, 0) for c in codes}


def shortlist(sample: str, codes: frozenset[str], share: float = 0.5) -> tuple[str, ...] | None:
    """The few of `codes` whose function words `sample` has most of, most first, or
    None when its words do not single out a few (too few of them, or too many
    languages with at least `share` of the likeliest's)."""
    score = stop_scores(sample, codes)
    best = max(score.values(), default=0)
    if best < STOP_HITS:
        return None
    picked = sorted(
        (c for c, n in score.items() if n >= share * best), key=lambda c: (-score[c], c)
    )
    return tuple(picked) if len(picked) <= SHORTLIST_MAX else None


class LanguageDetector:
    """Ranks candidate languages for a text; lingua detectors are built lazily."""

    def __init__(self) -> None:
        self._detectors: OrderedDict[frozenset[str], Any] = OrderedDict()
        self._known: dict[str, Any] | None = None

    def rank(self, text: str, candidates: Iterable[str]) -> list[tuple[str, float]]:
        """Candidates with lingua's confidence (0.0 for those it does not know), best first."""
        codes = sorted(set(candidates))
        if len(codes) <= 1:
            return [(c, 1.0) for c in codes]
        known = self._lingua_codes()
        ranked_set = frozenset(c for c in codes if c in known)
        if len(ranked_set) > WIDE:
            picked = shortlist(text[:SAMPLE_CHARS], ranked_set)
            score = stop_scores(text[:SAMPLE_CHARS], ranked_set)
            if picked is None and max(score.values(), default=0) >= STOP_HITS:
                # Too many share its function words: the likeliest few by them, not a
                # pass of lingua over them all (its models: 0.1-0.2 s to load).
                picked = tuple(sorted(score, key=lambda c: (-score[c], c))[:SHORTLIST_MAX])
            if picked is None:
                first = self._confidence(text[:SHORT_CHARS], ranked_set)
                picked = tuple(sorted(first, key=lambda c: (-first[c], c))[:SHORTLIST])
            ranked_set = frozenset(picked)
        scores: dict[str, float] = {}
        if len({known[c] for c in ranked_set}) == 1:
            scores = dict.fromkeys(ranked_set, 1.0)
        elif ranked_set:
            scores = self._confidence(text[:SAMPLE_CHARS], ranked_set)
        return sorted(((c, scores.get(c, 0.0)) for c in codes), key=lambda p: (-p[1], p[0]))

    def _confidence(self, sample: str, codes: frozenset[str]) -> dict[str, float]:
        """lingua's confidence in each of `codes` (languages it knows) for `sample`."""
        known = self._lingua_codes()
        by_lingua: dict[Any, list[str]] = {}
        for c in sorted(codes):  # "nb" and "no" are one language to lingua: both get its value
            by_lingua.setdefault(known[c], []).append(c)
        values = self._detector(codes).compute_language_confidence_values(sample)
        return {c: v.value for v in values for c in by_lingua.get(v.language, ())}

    def known(self) -> Collection[str]:
        """The languages lingua knows."""
        return self._lingua_codes().keys()

    def _lingua_codes(self) -> dict[str, Any]:
        if self._known is None:
            from lingua import Language

            self._known = {lang.iso_code_639_1.name.lower(): lang for lang in Language.all()}
            # lingua knows Norwegian Bokmål; feeds and CLDR also say "no".
            self._known.setdefault("no", self._known["nb"])
        return self._known

    def _detector(self, codes: frozenset[str]) -> Any:
        detector = self._detectors.get(codes)
        if detector is not None:
            self._detectors.move_to_end(codes)
            return detector
        from lingua import LanguageDetectorBuilder

        known = self._lingua_codes()
        langs = {known[c] for c in codes}
        detector = LanguageDetectorBuilder.from_languages(*langs).with_low_accuracy_mode().build()
        self._detectors[codes] = detector
        if len(self._detectors) > _DETECTORS:
            self._detectors.popitem(last=False)
        return detector
