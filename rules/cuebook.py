"""Relation cue words per language, compiled into one Aho-Corasick automaton each (pure).

A cue lexicon (`rules/cues/<lang>.yaml`, plus whatever a user's rule file
adds under `cues:`) lists words per class. Each entry is matched like a name:

- whole words, folded, in every inflected form `rules.inflect` gives a name
  of that language (pymorphy3 paradigms for ru/uk, endings for de/fr/es/...,
  the paradigms of rules/suffixes.py for cs, fi, hu, he and issue #10's others);
- an entry ending in `*` is a stem: any word that starts with it; one
  starting with `*` may end a word (Swahili and Georgian put subject,
  tense and preverb prefixes on verbs: `*kutana` in walikutana, wamekutana),
  and `*root*` may stand anywhere inside one;
- in ja, zh, th and ko an entry matches anywhere (no spaces in ja/zh/th;
  Korean attaches particles and verb endings to the stem: 협력을, 협력하기로).

The automaton is built on first use of a language and only ever scans the
sentences where a watched pair is named, never whole articles.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from itertools import islice, product

import ahocorasick

from rules.inflect import fold, folded_forms, lower
from rules.spec import RELATION_CLASSES, CueSpec

# What a cue can tell besides a relation class.
BILATERAL, GEOGRAPHY, COUNT, JOINER = "bilateral", "geography", "count", "joiners"
ANY_LANG = "*"
KINDS = (*RELATION_CLASSES, BILATERAL, GEOGRAPHY, COUNT)
# Languages whose entries match inside words (no boundaries, no inflection).
SUBSTRING_LANGS = frozenset({"ja", "zh", "ko", "th"})
_MAX_FORMS = 4000  # per multi-word entry: the product of its words' forms


@dataclass(frozen=True, slots=True)
class Found:
    """One cue in a text: its kind (a class, bilateral, geography, count) and offsets."""

    kind: str
    start: int
    end: int


class CueLexicon:
    """The compiled cues of one language."""

    def __init__(self, lang: str, spec: CueSpec) -> None:
        self.lang = lang
        self.substring = lang in SUBSTRING_LANGS
        self.joiners = frozenset(fold(j.strip()) for j in spec.joiners if j.strip())
        table: dict[str, set[tuple[str, bool, bool]]] = {}
        for kind in KINDS:
            for entry in getattr(spec, kind):
                entry = entry.strip()
                stem, inside = entry.endswith("*"), entry.startswith("*")
                for form in self._forms(entry.strip("*").strip(), stem or inside):
                    table.setdefault(form, set()).add((kind, stem, inside))
        self.automaton = ahocorasick.Automaton()
        for key, kinds in table.items():
            self.automaton.add_word(key, (len(key), tuple(sorted(kinds))))
        # No relation class at all: a watch with `unclassified: true` fires on the pair alone.
        self.empty = not any(k in RELATION_CLASSES for ks in table.values() for k, _, _ in ks)
        if table:
            self.automaton.make_automaton()

    def _forms(self, entry: str, stem: bool) -> list[str]:
        words = lower(entry).split()
        if not words:
            return []
        if stem or self.substring:
            return [fold(" ".join(words))]
        per_word = [
            sorted(folded_forms(w, self.lang, first=i == 0, last=i == len(words) - 1))
            for i, w in enumerate(words)
        ]
        return [" ".join(combo) for combo in islice(product(*per_word), _MAX_FORMS)]

    def find(self, folded: str, start: int, end: int) -> list[Found]:
        """The cues in folded[start:end], longest first where they overlap, in text order."""
        if self.automaton.kind != ahocorasick.AHOCORASICK or start >= end:
            return []
        raw: list[Found] = []
        for last, (length, kinds) in self.automaton.iter(folded, start, end):
            s, e = last - length + 1, last + 1
            for kind, stem, inside in kinds:
                ks, ke = s, e
                if not self.substring:
                    if inside:
                        while ks > 0 and is_word_char(folded[ks - 1]):
                            ks -= 1
                    elif ks > 0 and is_word_char(folded[ks - 1]):
                        continue
                    if stem:
                        while ke < len(folded) and is_word_char(folded[ke]):
                            ke += 1
                    elif ke < len(folded) and is_word_char(folded[ke]):
                        continue
                raw.append(Found(kind, ks, ke))
        kept: list[Found] = []
        for f in sorted(raw, key=lambda f: (f.start - f.end, f.start)):
            if all(f.end <= k.start or k.end <= f.start for k in kept):
                kept.append(f)
        return sorted(kept, key=lambda f: f.start)


def is_word_char(ch: str) -> bool:
    """Whether `ch` continues a word: a letter, a digit or a combining mark.

    Devanagari and Bengali vowel signs and viramas are marks, not letters:
    without them सुरक्षा (security) would hold the word रक्षा (defence).
    """
    return ch.isalnum() or unicodedata.category(ch).startswith("M")


class CueBook:
    """Cue lexicons of every language a RuleSet has cues for, compiled lazily."""

    def __init__(self, cues: dict[str, CueSpec]) -> None:
        self.specs = cues
        self._compiled: dict[str, CueLexicon] = {}

    def get(self, lang: str) -> CueLexicon:
        """The compiled cues of `lang` (empty if it has none)."""
        lex = self._compiled.get(lang)
        if lex is None:
            spec = self.specs.get(lang, CueSpec())
            every = self.specs.get(ANY_LANG)
            if every is not None:  # '*': entries for every language (list joiners)
                spec = spec.model_copy(
                    update={
                        k: [*getattr(spec, k), *getattr(every, k)] for k in CueSpec.model_fields
                    }
                )
            lex = self._compiled[lang] = CueLexicon(lang, spec)
        return lex
