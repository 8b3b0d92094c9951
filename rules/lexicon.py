"""One language's compiled names: spaCy matchers plus an Aho-Corasick presearch.

Every word of every name becomes a *class*: the word and all its inflected
forms (rules.inflect) share one NORM value, so a PhraseMatcher on NORM matches
"Russlands" to the name "Russland" and "Корейской Народно-Демократической
Республики" to its nominative. The forms live in one dict (ORTH -> class
NORM) that `Lexicon.doc` applies to each tokenized article with one array
read and write; the vocabulary is left alone (lexemes for 100,000 names and
their forms would cost several hundred MB). Texts are folded (lower-cased,
same length) before tokenizing, so offsets point into the original text.

The presearch is an Aho-Corasick automaton over the folded text, keyed on
the part every form of a name shares ("кремл" for Кремль/Кремле/Кремлём);
it is a superset filter: an actor it does not find cannot match.
"""

from __future__ import annotations

import hashlib
import pickle
import re
from array import array
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import ahocorasick_rs
import numpy

from rules.inflect import fold
from rules.library import read_cache, write_cache
from rules.load import RuleSet
from rules.presearch import ANY_LANG, automaton, common_word, forms_of
from rules.presearch import code_digest as presearch_code_digest
from rules.words import CHAR_LANGS, CountTables, pack, word_hash

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.matcher import PhraseMatcher
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

# spaCy is imported where a lexicon is compiled or built, not here: choosing a
# language reads only the cached presearch of each candidate (Engine.names_presearch).
_WORD_RE = re.compile(r"\w+")
STRONG, WEAK, EXCLUDE, TERM = "n", "w", "x", "t"
# A weak name written in lower case (rules.presearch.common_word): strong where the
# text writes it in lower case, past a sentence's first word; weak otherwise.
CASED = "c"
T = TypeVar("T")
_CLASS_MARK = "\u2063"  # invisible separator: class norms never equal a plain word's norm


@dataclass
class Presearch:
    """Aho-Corasick over folded text: which actors (per language) can match, and where.

    Keyed on every name, weak name and exclusion: the strong names' keys
    say which actors can match at all, and every key's place says which
    paragraphs spaCy must tokenize. The last text's answer is kept: the engine
    asks for the actors while choosing a language and for the places after.
    """

    automaton: ahocorasick_rs.AhoCorasick | None = None
    values: list[tuple[tuple[str, str], ...]] = field(default_factory=list)  # per key
    _keys: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    _last: tuple[str, dict[str, dict[str, int]], list[int]] | None = None

    def add(self, key: str, lang: str = "", actor: str = "") -> None:
        """Register a key (a substring every form of a name contains); for a strong
        name, with the language and actor it finds."""
        known = self._keys.setdefault(key, ())
        pair = (lang, actor)
        if actor and pair not in known:
            self._keys[key] = (*known, pair)  # a tuple, not a set: most keys have one

    def build(self) -> Presearch:
        """Freeze the keys into the automaton."""
        shared: dict[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]] = {}
        keys = sorted(self._keys)
        for key in keys:
            value = tuple(sorted(self._keys[key]))
            self.values.append(shared.setdefault(value, value))
        if keys:
            self.automaton = automaton(keys)
        self._keys = {}
        return self

    def scan(self, folded: str) -> dict[str, dict[str, int]]:
        """Per language, the actors whose strong names' keys occur, and how often."""
        return self._search(folded)[1]

    def places(self, folded: str) -> list[int]:
        """Where a name, weak name or exclusion of any actor may start."""
        return self._search(folded)[2]

    def _search(self, folded: str) -> tuple[str, dict[str, dict[str, int]], list[int]]:
        last = self._last
        if last is not None and last[0] is folded:
            return last
        found: dict[str, dict[str, int]] = {}
        places: list[int] = []
        if self.automaton is not None:
            values = self.values
            for index, start, _end in self.automaton.find_matches_as_indexes(
                folded, overlapping=True
            ):
                places.append(start)
                for lang, actor in values[index]:
                    seen = found.setdefault(lang, {})
                    seen[actor] = seen.get(actor, 0) + 1
        self._last = (folded, found, places)
        return self._last


@dataclass
class Lexicon:
    """Matchers for one language: names, exclusions and topic terms."""

    lang: str
    nlp: Language
    names: PhraseMatcher
    exclude: PhraseMatcher
    terms: PhraseMatcher
    presearch: Presearch
    norms: Norms
    has_terms: bool = False

    def doc(self, folded: str) -> Doc:
        """Tokenize folded text and give every name-word form its class NORM."""
        from spacy.attrs import NORM, ORTH

        doc = self.nlp.make_doc(folded)
        if len(doc):
            arr: Any = doc.to_array([ORTH, NORM])
            col, found = self.norms.apply(arr[:, 0], arr[:, 1])
            if found:
                doc.from_array([NORM], col)
        return doc


@dataclass(frozen=True)
class Norms:
    """ORTH of every form of a name word -> its class NORM, as two sorted arrays.

    16 bytes a form, looked up for a whole doc at once; a dict of Python ints
    would take ~25 times the memory with 100,000 names.
    """

    orths: Any  # numpy uint64, sorted
    classes: Any  # numpy uint64, aligned with orths

    @classmethod
    def build(cls, orths: array[int], classes: array[int]) -> Norms:
        """From aligned columns: the ORTH of each form and its class NORM."""
        o = numpy.frombuffer(orths, dtype="uint64") if orths else numpy.zeros(0, "uint64")
        c = numpy.frombuffer(classes, dtype="uint64") if classes else numpy.zeros(0, "uint64")
        order = numpy.argsort(o, kind="stable")
        return cls(o[order], c[order])

    def apply(self, orth: Any, norm: Any) -> tuple[Any, bool]:
        """`norm` with the class NORM wherever `orth` is a known form; and whether any was."""
        if not len(self.orths):
            return norm, False
        pos = numpy.searchsorted(self.orths, orth)
        pos[pos == len(self.orths)] = 0
        hit = self.orths[pos] == orth
        if not hit.any():
            return norm, False
        out = norm.copy()
        out[hit] = self.classes[pos[hit]]
        return out, True


Token = tuple[str, int]  # a pattern token: its folded text and its NORM


class _Classes:
    """Groups name words with their forms into classes, one NORM per class.

    Names are added first, then `assign` writes the NORMs: a word whose form
    is another name word joins that word's class ("russe" and "russes"), and
    a form two classes share goes to the longer word, so the outcome never
    depends on the order of the rules.
    """

    def __init__(self, nlp: Language, lang: str) -> None:
        # Names are tokenized by the language's tokenizer over a scratch vocabulary,
        # so their words never enter the matching vocabulary (100,000 names
        # would otherwise cost ~50 MB of lexemes there).
        from rules.nlp import scratch_tokenizer

        self.tokenize = scratch_tokenizer(nlp)
        self.lang = lang
        self._specials = {fold(k) for k in getattr(nlp.tokenizer, "rules", None) or {}}
        self._forms: dict[str, frozenset[str]] = {}
        self._uses: dict[str, str] = {}  # word -> its one label, or "" if used otherwise
        self._parent: dict[str, str] = {}
        self.norms = Norms(numpy.zeros(0, "uint64"), numpy.zeros(0, "uint64"))
        self.words = self.norms
        # Pattern tokens that are no class's words (".", "-"): their NORM.
        self.plain: dict[str, int] = {}

    def add(self, name: str, label: str) -> tuple[list[Token], list[str]] | None:
        """A name's pattern tokens and the presearch keys that find it."""
        folded = fold(name.strip())
        if not folded:
            return None
        tokens, originals = self._tokenize(folded, name.strip())
        words = [w for w, _ in tokens]
        # How each word is used decides whether its class can be the actor's own.
        use = label if len(words) == 1 and label[0] == STRONG else ""
        for w in words:
            self._uses[w] = use if self._uses.get(w, use) == use else ""
        options: list[list[str]] = []
        for i, (word, orig) in enumerate(zip(words, originals, strict=True)):
            if any(c.isalnum() for c in word):
                forms = forms_of(word, orig, self.lang, first=i == 0, last=i == len(words) - 1)
                known = self._forms.get(word)
                self._forms[word] = forms if known is None or known == forms else known | forms
                options.append(_keys_for(forms))
        return tokens, _pick_keys(self.lang, folded, options)

    def _tokenize(self, folded: str, name: str) -> tuple[list[Token], list[str]]:
        parts = folded.split()
        if self.lang not in CHAR_LANGS and all(
            p.isalpha() and p not in self._specials for p in parts
        ):
            # Plain words stay whole tokens; skipping the tokenizer keeps large
            # libraries from filling a vocabulary (their NORM comes from the class).
            return [(p, 0) for p in parts], name.split()
        doc = self.tokenize(folded)
        tokens = [(t.text, t.norm) for t in doc]
        originals = [t.text for t in self.tokenize(name)]
        return tokens, originals if len(originals) == len(tokens) else [w for w, _ in tokens]

    def _root(self, word: str) -> str:
        while self._parent.get(word, word) != word:
            word = self._parent[word]
        return word

    def assign(self) -> Norms:
        """Group the words into classes; map each form's ORTH to its class NORM."""
        from spacy.strings import get_string_id

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
        class_ids = {root: get_string_id(n) for root, n in self._class_names(bases).items()}
        # Two flat uint64 columns, not a dict of Python ints (~25x the memory).
        orths, classes, words = array("Q"), array("Q"), array("Q")
        for form, base in owner.items():
            orths.append(get_string_id(form))
            classes.append(class_ids[self._root(base)])
            words.append(word_hash(form))
        del owner, class_ids
        self.norms = Norms.build(orths, classes)
        # The same forms by rules.words' hash, for counting names without spaCy.
        self.words = Norms.build(words, classes)
        self._forms.clear()
        self._parent.clear()
        self._uses.clear()
        return self.norms

    def _class_names(self, bases: list[str]) -> dict[str, str]:
        """The NORM string of each class (by its root word).

        A class whose words are only ever whole one-word names of one actor is
        named after the actor, so all such names of an actor share one pattern:
        10 aliases of an actor cost the PhraseMatcher one entry, not ten.
        """
        uses: dict[str, str] = {}
        for base in bases:
            root, use = self._root(base), self._uses.get(base, "")
            uses[root] = use if uses.get(root, use) == use else ""
        return {root: _CLASS_MARK + ("@" + use if use else root) for root, use in uses.items()}

    def key(self, tokens: list[Token]) -> tuple[int, ...]:
        """The NORMs a pattern matches on."""
        from spacy.strings import get_string_id

        orth = numpy.array([get_string_id(w) for w, _ in tokens], dtype="uint64")
        norm = numpy.array([n for _, n in tokens], dtype="uint64")
        key = tuple(int(x) for x in self.norms.apply(orth, norm)[0])
        for (word, n), k in zip(tokens, key, strict=True):
            if k == n:
                self.plain[word] = n
        return key


def _pick_keys(lang: str, folded: str, options: list[list[str]]) -> list[str]:
    # One key suffices for a name (all its words must match): the most selective.
    if lang in CHAR_LANGS:
        return [folded]
    singles = [o[0] for o in options if len(o) == 1]
    if singles:
        return [max(singles, key=len)]
    return options[0] if options else [folded]


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


def compile_lexicon(
    rules: RuleSet, lang: str, nlp: Language, cache_dir: Path | None = None
) -> Lexicon:
    """Compile every actor name, exclusion and watch term of `lang` (and '*')."""
    return build_lexicon(nlp, compile_names(rules, lang, lambda: nlp, cache_dir))


def compile_names(
    rules: RuleSet, lang: str, nlp: Callable[[], Language], cache_dir: Path | None = None
) -> Compiled:
    """What compiling `lang`'s names decides; `nlp` gives its pipeline if it must be done.

    With `cache_dir`, it is kept there between runs, under a digest of the
    names and of the code that decides them (a `match` over a stream in 12
    languages spent 0.8 s compiling them), and read back without spaCy.
    """
    return compile_all(rules, lang, nlp, cache_dir)[0]


def compile_all(
    rules: RuleSet, lang: str, nlp: Callable[[], Language], cache_dir: Path | None = None
) -> tuple[Compiled, CountTables | None]:
    """`compile_names`, and the count tables too when they were made now (compiled,
    not read): with `cache_dir` they are kept there on their own (`count_tables`)."""
    if cache_dir is None:
        return _compile(rules, lang, nlp())
    path = cache_dir / f"lexicon-{_digest(rules, lang)}.pickle"
    compiled = _read_cache(path, Compiled)
    if compiled is not None:
        return compiled, None
    compiled, tables = _compile(rules, lang, nlp())
    write_cache(path, pickle.dumps(compiled, protocol=pickle.HIGHEST_PROTOCOL))
    _write_tables(rules, lang, cache_dir, tables)
    return compiled, tables


def count_tables(
    rules: RuleSet, lang: str, nlp: Callable[[], Language], cache_dir: Path | None = None
) -> CountTables:
    """What counting `lang`'s names needs (rules.words): read on its own from the cache
    folder, without the patterns' Python objects (100,000 aliases: ~30 MB of them)."""
    if cache_dir is None:
        return _compile(rules, lang, nlp())[1]
    tables = _read_cache(cache_dir / f"counts-{_digest(rules, lang)}.pickle", CountTables)
    if tables is None:  # the lexicon's file without them: compiled again
        tables = _compile(rules, lang, nlp())[1]
        _write_tables(rules, lang, cache_dir, tables)
    return tables


def _write_tables(rules: RuleSet, lang: str, cache_dir: Path, tables: CountTables) -> None:
    path = cache_dir / f"counts-{_digest(rules, lang)}.pickle"
    write_cache(path, pickle.dumps(tables, protocol=pickle.HIGHEST_PROTOCOL))


def names_presearch(c: Compiled) -> Presearch:
    """The presearch of a language's names, built without spaCy."""
    presearch = Presearch()
    presearch._keys = c.presearch
    return presearch.build()


@dataclass(frozen=True, slots=True)
class Compiled:
    """What compiling a language's names decides, as plain data (cached)."""

    lang: str
    # Per label, the NORMs of each of its patterns (names sharing classes: one).
    patterns: dict[str, list[tuple[int, ...]]]
    presearch: dict[str, tuple[tuple[str, str], ...]]  # key -> (lang, actor) pairs
    orths: bytes  # Norms' columns, uint64
    classes: bytes


def _compile(rules: RuleSet, lang: str, nlp: Language) -> tuple[Compiled, CountTables]:
    classes = _Classes(nlp, lang)
    patterns: dict[str, list[list[Token]]] = defaultdict(list)
    presearch = Presearch()
    for actor in rules.actors.values():
        for kind, table in ((STRONG, actor.names), (WEAK, actor.weak), (EXCLUDE, actor.exclude)):
            for name in names_in(table, lang):
                label = f"{CASED if kind == WEAK and common_word(name) else kind}|{actor.id}"
                compiled = classes.add(name, label)
                if compiled is None:
                    continue
                patterns[label].append(compiled[0])
                if unhyphened := _without_hyphens(compiled[0]):
                    patterns[label].append(unhyphened)
                for key in compiled[1]:
                    if label[0] in (STRONG, CASED):
                        presearch.add(key, lang, actor.id)
                    else:
                        presearch.add(key)
    for w in rules.watches:
        for term in names_in(w.spec.terms, lang):
            compiled = classes.add(term, f"{TERM}|{term}")
            if compiled is not None and f"{TERM}|{term}" not in patterns:
                patterns[f"{TERM}|{term}"].append(compiled[0])
    norms = classes.assign()
    # Names sharing a class: one pattern.
    keys = {label: list(dict.fromkeys(map(classes.key, ts))) for label, ts in patterns.items()}
    words = (classes.words.orths.tobytes(), classes.words.classes.tobytes())
    made = Compiled(lang, keys, presearch._keys, norms.orths.tobytes(), norms.classes.tobytes())
    # Kept apart from the lexicon: reading a lexicon to match need not read them.
    return made, pack(lang, keys, words, classes.plain)


_HYPHENS = frozenset("-\u2010\u2011")


def _without_hyphens(tokens: list[Token]) -> list[Token] | None:
    """A name's tokens without the hyphens between its words, or None if it has none.

    Feeds write "Noord Korea", "Pohjois Korea", "Kim Jong un" as often as the
    hyphenated names; the presearch's keys are single words and find both.
    """
    kept = [
        t
        for i, t in enumerate(tokens)
        if not (
            t[0] in _HYPHENS
            and 0 < i < len(tokens) - 1
            and tokens[i - 1][0][-1:].isalnum()
            and tokens[i + 1][0][:1].isalnum()
        )
    ]
    return kept if len(kept) < len(tokens) else None


def build_lexicon(nlp: Language, c: Compiled, presearch: Presearch | None = None) -> Lexicon:
    """The matchers of compiled names, in `nlp`'s vocabulary (`presearch`: if built already)."""
    from spacy.matcher import PhraseMatcher

    matchers = {k: PhraseMatcher(nlp.vocab, attr="NORM") for k in (STRONG, EXCLUDE, TERM)}
    for label, keys in c.patterns.items():
        # Docs are made here, one label at a time: thousands at once cost ~5 KB each.
        kind = label[0] if label[0] in (EXCLUDE, TERM) else STRONG
        matchers[kind].add(label, [_pattern(nlp.vocab, key) for key in keys])
    return Lexicon(
        c.lang,
        nlp,
        matchers[STRONG],
        matchers[EXCLUDE],
        matchers[TERM],
        presearch or names_presearch(c),
        Norms(numpy.frombuffer(c.orths, "uint64"), numpy.frombuffer(c.classes, "uint64")),
        any(label[0] == TERM for label in c.patterns),
    )


def _pattern(vocab: Vocab, key: tuple[int, ...]) -> Doc:
    """A pattern Doc whose NORMs are `key` (the classes of the name's words)."""
    from spacy.attrs import NORM
    from spacy.tokens import Doc

    doc = Doc(vocab, words=["_"] * len(key))
    norms: Any = numpy.array(key, dtype="uint64")
    doc.from_array([NORM], norms)
    return doc


# What decides a compiled lexicon besides the names: a change to any of these
# files, or to spaCy (its tokenizer rules), makes a new cache.
_CODE = ("lexicon.py", "nlp.py", "words.py")
_CACHE_FORMAT = "wirewatch-lexicon-5"  # 5: count tables in files of their own


@lru_cache(maxsize=1)
def _code_digest() -> bytes:
    h = hashlib.sha256(_CACHE_FORMAT.encode() + presearch_code_digest())
    for name in _CODE:
        h.update((Path(__file__).parent / name).read_bytes())
    h.update(f"spacy={metadata.version('spacy')}".encode())
    return h.digest()


def _digest(rules: RuleSet, lang: str) -> str:
    """The cache key of `lang`'s lexicon: the code, and every name and term it compiles
    (its pipeline follows from the code and spaCy's version)."""
    h = hashlib.sha256(_code_digest())
    h.update(lang.encode())
    for actor in rules.actors.values():  # in the order _compile reads them
        h.update(b"\1" + actor.id.encode())
        for table in (actor.names, actor.weak, actor.exclude):
            h.update(b"\2" + "\0".join(names_in(table, lang)).encode())
    for w in rules.watches:
        h.update(b"\3" + "\0".join(names_in(w.spec.terms, lang)).encode())
    return h.hexdigest()[:24]


def _read_cache(path: Path, kind: type[T]) -> T | None:
    raw = read_cache(path)
    try:
        data = pickle.loads(raw) if raw is not None else None
    except (pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError):
        return None
    return data if isinstance(data, kind) else None
