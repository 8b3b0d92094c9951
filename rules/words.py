"""Counting a language's names in a text without spaCy, to choose its language.

When detection cannot settle a text, the names of the few likeliest
languages are counted, and the one whose names and look-alikes account for
the most words wins (rules.engine). Tokenizing with spaCy for that cost each
process 63 MB (spaCy's import) and a pipeline and lexicon for every
language tried: 39 of them over a feed stream with every actor's names.

`NameCount` matches the compiled patterns of a language (rules.lexicon's
classes of forms) over the text's words as a regular expression finds them:
each chunk between spaces without its leading and trailing marks, and one
token per character where the script has no spaces (as
rules.nlp.CharTokenizer). A chunk that is no form whole ("l'italia",
"norte-coreanos" where the language splits it) is tried in parts. Word
forms are looked up by a hash of their own (two CRC-32s), in `CountTables`
that compiling a lexicon makes and the cache folder keeps apart from it.
It follows `rules.engine.mentions`: exclusions of an actor silence its
names inside them, longest first, weak names only beside a strong one of
the same actor. It is a count for a choice, not the matching: where spaCy's
rules split a word otherwise (Romanian "-un", Turkish "'rus"), the two may
differ by a word.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from zlib import crc32

import numpy

from rules.inflect import COMPOUND_STEMS

CHAR_LANGS = frozenset({"ja", "zh", "th"})
# Characters that are tokens of their own: scripts written without spaces.
_CHAR_RANGES = (
    (0x0E00, 0x0E7F),  # Thai
    (0x2E80, 0x9FFF),  # CJK radicals, kana, CJK symbols and ideographs
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0xFF00, 0xFFEF),  # full- and halfwidth forms
    (0x20000, 0x3FFFF),  # CJK extensions
)
_CHARS = "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in _CHAR_RANGES)


def _marks() -> str:
    """Combining marks, as a character class body: Python's \\w leaves out the vowel
    signs of Indic scripts (the ू of रूस), which belong to their words."""
    spans = [(0x0300, 0x1DFF), (0x20D0, 0x20FF), (0xA670, 0xABFF), (0xFE00, 0xFE2F)]
    marks = [
        chr(c)
        for lo, hi in spans
        for c in range(lo, hi + 1)
        if unicodedata.category(chr(c))[0] == "M"
    ]
    return "".join(re.escape(m) for m in marks)


# Letters, digits and marks; the joiners of Persian and Indic words (U+200C, U+200D).
_LETTER = rf"(?:[^\W_]|[{_marks()}\u200c\u200d])"
_LETTERS = re.compile(rf"{_LETTER}+")
# Parts of a word that is no form whole: an elided article keeps its apostrophe
# (c'est, l'italia, dell'onu), as the tokenizers of languages that elide make it.
_PARTS = re.compile(rf"{_LETTER}{{1,4}}'(?={_LETTER})|{_LETTER}+|\S")
# A chunk's core, from its first letter to its last, or one of the marks around it.
_WORDS = re.compile(rf"{_LETTER}(?:\S*{_LETTER})?|\S")
_CHAR_TOKENS = re.compile(rf"[{_CHARS}]|(?:(?![{_CHARS}]){_LETTER})+|[^\w\s]|_")
_UNKNOWN = -1  # the id of a word no pattern has
# Finnish writes a demonym's stem as the first half of a compound (venäläisjoukot,
# pohjoiskorealaissotilaat): split after -lais-/-läis- when a word of three letters
# or more follows, not before the demonym's own case endings (venäläisten).
_FI_ENDINGS = (
    "en|et|ten|een|ta|tä|ena|enä|eksi|essa|essä|esta|estä|ella|ellä|elta|eltä|elle|etta|että|"
    "ia|iä|in|ina|inä|iksi|issa|issä|ista|istä|iin|illa|illä|ilta|iltä|ille|itta|ittä|ine"
)
COMPOUND_INFIXES = {
    "fi": [
        rf"(?<={stem})(?!(?:{_FI_ENDINGS})(?:kin|kaan|kään|han|hän|ni|si|nsa|nsä|mme|nne)?\b)"
        r"(?=[^\W\d_]{3})"
        for stem in COMPOUND_STEMS["fi"]
    ]
}
_COMPOUNDS = {lang: re.compile("|".join(rxs)) for lang, rxs in COMPOUND_INFIXES.items()}


def is_char(ch: str) -> bool:
    """True for characters that are tokens of their own (CJK, kana, Thai, fullwidth forms)."""
    o = ord(ch)
    return any(lo <= o <= hi for lo, hi in _CHAR_RANGES)


def words(folded: str) -> list[str]:
    """The words of a spaced text, as spaCy's rules mostly make them: each chunk
    between spaces loses its leading and trailing marks (one token each), and
    keeps its core whole ("u.s" of "u.s.", "rusya'nın", "ג׳ונג", "پیونگ‌یانگ")."""
    return _WORDS.findall(folded)


# How far around a key the words of its name can reach, in characters.
REACH = 80


def around(folded: str, places: list[int]) -> str:
    """The stretches of `folded` within REACH of `places`, whole words, one space apart."""
    spans: list[list[int]] = []
    for at in sorted(places):
        lo, hi = max(0, at - REACH), at + REACH
        if spans and lo <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], hi)
        else:
            spans.append([lo, hi])
    out = []
    for lo, hi in spans:
        while lo > 0 and not folded[lo - 1].isspace():
            lo -= 1
        while hi < len(folded) and not folded[hi].isspace():
            hi += 1
        out.append(folded[lo:hi])
    return " \n ".join(out)


def _unelided(part: str) -> list[str] | None:
    return [part[:-1], "'"] if len(part) > 1 and part.endswith("'") else None


def word_hash(word: str) -> int:
    """The 64-bit hash a word form is looked up by here (spaCy's needs spaCy):
    two CRC-32s, a fifth of blake2b's time on the words of a text."""
    raw = word.encode()
    return crc32(raw) << 32 | crc32(raw, 0x5BD1E995)


@dataclass(frozen=True, slots=True)
class CountTables:
    """What counting a language's names needs, as flat columns (cached on their own:
    reading them costs no Python object a name).

    Word forms by `word_hash` (sorted) and their class ids; the pattern tokens
    that are no class's ("." and "-": `plain`); and the patterns of every
    name, weak name and exclusion, sorted by their first id: where each
    starts in `flat` and how long it is, and its label ("n|RUS") as a slice
    of `labels` between two of `label_ends`.
    """

    lang: str
    word_hashes: bytes  # uint64, sorted
    word_classes: bytes  # uint64
    plain: dict[str, int]
    firsts: bytes  # uint64, sorted
    starts: bytes  # uint32
    lengths: bytes  # uint16
    label_ids: bytes  # uint32
    flat: bytes  # uint64
    labels: str
    label_ends: bytes  # uint32


def pack(
    lang: str,
    patterns: dict[str, list[tuple[int, ...]]],
    words: tuple[bytes, bytes],
    plain: dict[str, int],
) -> CountTables:
    """The count tables of a language's compiled patterns (topic terms left out)."""
    rows = sorted(
        (key[0], key, i)
        for i, (label, keys) in enumerate(patterns.items())
        if label[0] != "t"
        for key in keys
    )
    names = list(patterns)
    flat: list[int] = []
    starts: list[int] = []
    lengths: list[int] = []
    for _, key, _ in rows:
        starts.append(len(flat))
        lengths.append(len(key))
        flat.extend(key)
    ends, at = [], 0
    for label in names:
        at += len(label)
        ends.append(at)
    return CountTables(
        lang,
        words[0],
        words[1],
        plain,
        numpy.array([r[0] for r in rows], "uint64").tobytes(),
        numpy.array(starts, "uint32").tobytes(),
        numpy.array(lengths, "uint16").tobytes(),
        numpy.array([r[2] for r in rows], "uint32").tobytes(),
        numpy.array(flat, "uint64").tobytes(),
        "".join(names),
        numpy.array(ends, "uint32").tobytes(),
    )


class NameCount:
    """A language's compiled names and look-alikes, matched over regex words."""

    def __init__(self, t: CountTables) -> None:
        self.lang = t.lang
        self._hashes = numpy.frombuffer(t.word_hashes, "uint64")
        self._classes = numpy.frombuffer(t.word_classes, "uint64")
        self._plain = t.plain
        self._firsts = numpy.frombuffer(t.firsts, "uint64")
        self._starts = numpy.frombuffer(t.starts, "uint32")
        self._lengths = numpy.frombuffer(t.lengths, "uint16")
        self._label_ids = numpy.frombuffer(t.label_ids, "uint32")
        self._flat = numpy.frombuffer(t.flat, "uint64")
        self._labels = t.labels
        self._label_ends = numpy.frombuffer(t.label_ends, "uint32")

    def _label(self, pattern: int) -> str:
        i = int(self._label_ids[pattern])
        return self._labels[int(self._label_ends[i - 1]) if i else 0 : int(self._label_ends[i])]

    def ids(self, folded: str) -> list[int]:
        """The id of each word of `folded`: its class, a pattern's NORM, or unknown."""
        if self.lang in CHAR_LANGS:
            return self._lookup(_CHAR_TOKENS.findall(folded))
        # A word that is no form whole ("l'italia", "norte-coreanos" where the language
        # splits it) is tried in parts: letter runs and single marks, an elided article
        # keeping its apostrophe; a part with one that is no form either, without it.
        return self._resolve(words(folded), [self._parts, _unelided])

    def _parts(self, word: str) -> list[str] | None:
        compound = _COMPOUNDS.get(self.lang)
        if (
            len(word) < 2
            or (word.isalnum() and not compound)
            or (_LETTERS.fullmatch(word) and not (compound and compound.search(word)))
        ):
            return None
        parts = _PARTS.findall(word)
        return [q for p in parts for q in compound.split(p)] if compound else parts

    def _resolve(
        self, tokens: list[str], expanders: list[Callable[[str], list[str] | None]]
    ) -> list[int]:
        """The ids of `tokens`; an unknown one expanded by the first expander, its
        parts resolved with the others."""
        ids = self._lookup(tokens)
        todo: dict[int, list[str]] = {}
        if expanders:
            for i, (token, got) in enumerate(zip(tokens, ids, strict=True)):
                if got == _UNKNOWN and (parts := expanders[0](token)):
                    todo[i] = parts
        if not todo:
            return ids
        out: list[int] = []
        for i, got in enumerate(ids):
            if i in todo:
                out.extend(self._resolve(todo[i], expanders[1:]))
            else:
                out.append(got)
        return out

    def _lookup(self, tokens: list[str]) -> list[int]:
        if not tokens:
            return []
        if not len(self._hashes):
            return [self._plain.get(t, _UNKNOWN) for t in tokens]
        keys = numpy.array([word_hash(t) for t in tokens], dtype="uint64")
        pos = numpy.searchsorted(self._hashes, keys)
        pos[pos == len(self._hashes)] = 0
        hit = self._hashes[pos] == keys
        classes: Any = self._classes[pos]
        return [
            int(classes[i]) if hit[i] else self._plain.get(t, _UNKNOWN)
            for i, t in enumerate(tokens)
        ]

    def count(self, folded: str, actors: Iterable[str], places: list[int] | None = None) -> int:
        """Words in names of `actors` (as rules.engine.mentions finds them) and in
        look-alikes of any actor; with `places` (where the presearch's keys start:
        every name holds one), only the words around them are read."""
        wanted = set(actors)
        ids = self.ids(folded if places is None else around(folded, places))
        names: list[tuple[int, int, str, str]] = []  # start, end, kind, actor
        excluded: dict[str, list[tuple[int, int]]] = defaultdict(list)
        covered = 0
        found = numpy.array([x if x != _UNKNOWN else 0 for x in ids], "uint64")
        known = numpy.array([x != _UNKNOWN for x in ids], bool)
        lo = numpy.searchsorted(self._firsts, found, "left")
        hi = numpy.searchsorted(self._firsts, found, "right")
        for at in numpy.flatnonzero((hi > lo) & known):
            i = int(at)
            for p in range(int(lo[i]), int(hi[i])):
                length, start = int(self._lengths[p]), int(self._starts[p])
                end = i + length
                if end > len(ids) or not numpy.array_equal(
                    found[i:end], self._flat[start : start + length]
                ):
                    continue
                if not known[i:end].all():
                    continue
                kind, actor = self._label(p).split("|", 1)
                if kind == "x":
                    excluded[actor].append((i, end))
                    covered += end - i
                elif actor in wanted or kind == "n":
                    names.append((i, end, kind, actor))
        names = [
            n for n in names if not any(s <= n[0] and n[1] <= e for s, e in excluded.get(n[3], ()))
        ]
        kept = _longest_first(names)
        extents = {(s, e) for s, e, _, _ in kept}
        shared = {n for n in names if (n[0], n[1]) in extents and n[3] in wanted}
        strong = {a for _, _, kind, a in shared if kind == "n"}
        return covered + sum(e - s for s, e, kind, a in shared if kind == "n" or a in strong)


def _longest_first(spans: list[tuple[int, int, str, str]]) -> list[tuple[int, int, str, str]]:
    """Non-overlapping spans, longer first, then earlier (as spacy.util.filter_spans)."""
    kept: list[tuple[int, int, str, str]] = []
    taken: set[int] = set()
    for span in sorted(spans, key=lambda s: (-(s[1] - s[0]), s[0])):
        if not taken.intersection(range(span[0], span[1])):
            kept.append(span)
            taken.update(range(span[0], span[1]))
    return kept
