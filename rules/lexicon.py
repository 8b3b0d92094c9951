"""One language's compiled names: spaCy matchers plus an Aho-Corasick presearch.

Every word of every name becomes a *class*: the word and all its inflected
forms (rules.inflect) share one NORM value in the pipeline's vocabulary, so a
PhraseMatcher on NORM matches "Russlands" to the name "Russland" and
"Корейской Народно-Демократической Республики" to its nominative, at C speed
and with no per-token Python work. Texts are folded (lower-cased, same
length) before tokenizing, so offsets point into the original text.

The presearch is an Aho-Corasick automaton over the folded text, keyed on
the part every form of a name shares ("кремл" for Кремль/Кремле/Кремлём);
it is a superset filter: an actor it does not find cannot match.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import ahocorasick
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from rules.inflect import fold, word_forms
from rules.load import RuleSet
from rules.nlp import CHAR_LANGS

ANY_LANG = "*"
STRONG, WEAK, EXCLUDE, TERM = "n", "w", "x", "t"
_CLASS_MARK = "\u2063"  # invisible separator: class norms never equal a plain word's norm
# Languages where clitics attach to acronyms too (ABD'ye, 북한이, والناتو).
_CLITIC_LANGS = frozenset({"tr", "ko", "ar"})


@dataclass
class Presearch:
    """Aho-Corasick over folded text: which actors (per language) can match at all."""

    automaton: ahocorasick.Automaton = field(default_factory=ahocorasick.Automaton)
    _keys: dict[str, set[tuple[str, str]]] = field(default_factory=lambda: defaultdict(set))

    def add(self, key: str, lang: str, actor: str) -> None:
        """Register a key (a substring every form of a name contains)."""
        self._keys[key].add((lang, actor))

    def build(self) -> Presearch:
        """Freeze the keys into the automaton."""
        for key, pairs in self._keys.items():
            self.automaton.add_word(key, tuple(sorted(pairs)))
        if self._keys:
            self.automaton.make_automaton()
        self._keys = defaultdict(set)
        return self

    def scan(self, folded: str) -> dict[str, dict[str, int]]:
        """Per language, the actors whose keys occur (with the matched key length)."""
        found: dict[str, dict[str, int]] = {}
        if self.automaton.kind != ahocorasick.AHOCORASICK:
            return found
        for _end, pairs in self.automaton.iter(folded):
            for lang, actor in pairs:
                seen = found.setdefault(lang, {})
                seen[actor] = seen.get(actor, 0) + 1
        return found


@dataclass
class Lexicon:
    """Matchers for one language: names, exclusions and topic terms."""

    lang: str
    nlp: Language
    names: PhraseMatcher
    exclude: PhraseMatcher
    terms: PhraseMatcher
    presearch: Presearch
    has_terms: bool = False


class _Classes:
    """Groups name words with their forms into classes, one NORM per class.

    Names are added first, then `assign` writes the NORMs: a word whose form
    is another name word joins that word's class ("russe" and "russes"), and
    a form two classes share goes to the longer word, so the outcome never
    depends on the order of the rules.
    """

    def __init__(self, nlp: Language, lang: str) -> None:
        self.nlp = nlp
        self.lang = lang
        self._forms: dict[str, set[str]] = defaultdict(set)
        self._parent: dict[str, str] = {}

    def add(self, name: str) -> tuple[Doc, list[str]] | None:
        """The pattern Doc for a name and the presearch keys that find it."""
        folded = fold(name.strip())
        if not folded:
            return None
        doc = self.nlp.make_doc(folded)
        words = [t.text for t in doc]
        originals = [t.text for t in self.nlp.make_doc(name.strip())]
        if len(originals) != len(words):
            originals = words
        options: list[list[str]] = []
        for i, (word, orig) in enumerate(zip(words, originals, strict=True)):
            if any(c.isalnum() for c in word):
                forms = self._forms_of(word, orig, first=i == 0, last=i == len(words) - 1)
                self._forms[word] |= forms
                options.append(_keys_for(forms))
        if self.lang in CHAR_LANGS:
            return doc, [folded]
        singles = [o[0] for o in options if len(o) == 1]
        if singles:
            return doc, [max(singles, key=len)]
        return doc, options[0] if options else [folded]

    def _forms_of(self, word: str, orig: str, *, first: bool, last: bool) -> frozenset[str]:
        acronym = orig.isupper() and len(orig) >= 2
        if acronym and self.lang not in _CLITIC_LANGS and self.lang not in ("ru", "uk"):
            return frozenset({word})
        return word_forms(word, self.lang, first=first, last=last)

    def _root(self, word: str) -> str:
        while self._parent.get(word, word) != word:
            word = self._parent[word]
        return word

    def assign(self) -> None:
        """Write one NORM per class into the vocabulary (call once, after every add)."""
        bases = sorted(self._forms)
        for base in bases:
            for form in self._forms[base]:
                if form != base and form in self._forms:
                    a, b = sorted((self._root(base), self._root(form)))
                    self._parent[b] = a
        owner: dict[str, str] = {}
        for base in sorted(bases, key=lambda b: (len(b), b)):
            for form in self._forms[base]:
                owner[form] = base  # longer words come later and win shared forms
        for base in bases:
            owner[base] = base
        vocab = self.nlp.vocab
        for form, base in owner.items():
            vocab[form].norm_ = _CLASS_MARK + self._root(base)


def _common_prefix(words: list[str]) -> str:
    first, last = min(words), max(words)
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return first[:n]


def _keys_for(forms: frozenset[str]) -> list[str]:
    """A substring shared by every form; every form itself if there is none."""
    ordered = sorted(forms, key=lambda f: (len(f), f))
    prefix = _common_prefix(ordered)
    shortest = ordered[0]
    if len(prefix) >= min(3, len(shortest)):
        return [prefix]
    best = ""
    for i in range(len(shortest)):
        for j in range(len(shortest), i + len(best), -1):
            sub = shortest[i:j]
            if all(sub in f for f in ordered):
                best = sub
                break
    return [best] if best else ordered


def names_in(table: dict[str, list[str]], lang: str) -> list[str]:
    """The names given for `lang` and for every language ('*'), deduplicated."""
    return list(dict.fromkeys([*table.get(lang, []), *table.get(ANY_LANG, [])]))


def compile_lexicon(rules: RuleSet, lang: str, nlp: Language) -> Lexicon:
    """Compile every actor name, exclusion and watch term of `lang` (and '*')."""
    classes = _Classes(nlp, lang)
    patterns: dict[str, list[Doc]] = defaultdict(list)
    presearch = Presearch()
    for actor in rules.actors.values():
        for kind, table in ((STRONG, actor.names), (WEAK, actor.weak), (EXCLUDE, actor.exclude)):
            for name in names_in(table, lang):
                compiled = classes.add(name)
                if compiled is None:
                    continue
                patterns[f"{kind}|{actor.id}"].append(compiled[0])
                if kind == STRONG:
                    for key in compiled[1]:
                        presearch.add(key, lang, actor.id)
    for w in rules.watches:
        for term in names_in(w.spec.terms, lang):
            compiled = classes.add(term)
            if compiled is not None and f"{TERM}|{term}" not in patterns:
                patterns[f"{TERM}|{term}"].append(compiled[0])
    classes.assign()
    matchers = {k: PhraseMatcher(nlp.vocab, attr="NORM") for k in (STRONG, EXCLUDE, TERM)}
    for label, docs in patterns.items():
        matchers[EXCLUDE if label[0] == EXCLUDE else TERM if label[0] == TERM else STRONG].add(
            label, docs
        )
    has_terms = any(label[0] == TERM for label in patterns)
    return Lexicon(
        lang, nlp, matchers[STRONG], matchers[EXCLUDE], matchers[TERM], presearch.build(), has_terms
    )


def merge_presearch(lexicons: Iterable[Lexicon]) -> Presearch:
    """One automaton for several languages (texts whose language is unknown)."""
    merged = Presearch()
    for lex in lexicons:
        for key, pairs in lex.presearch.automaton.items():
            for lang, actor in pairs:
                merged.add(key, lang, actor)
    return merged.build()
