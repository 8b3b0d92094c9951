"""The presearch: which watched actors can be in a text at all, in any language (pure).

One Aho-Corasick pass over the folded text with every language's names,
checked at word boundaries where the script has them, before anything
else: a text it finds nothing in never reaches language detection or spaCy.
The automaton is ahocorasick_rs's (Rust's aho-corasick crate). Keys that
only extend a key needing no boundary after it (Korean particle forms, CJK)
are dropped: the shipped watch has 13,098 keys, not 39,203, and gets the
DFA, which walks 2,000 feed texts in 36 ms against the contiguous NFA's
108 ms, for ~30 MB more. Larger sets (the whole library's 278,000 keys for
--all-actors, 100,000 aliases) keep the NFA, a few MB. It must not import
spaCy (`wirewatch match` imports spaCy only once a text is a candidate).
"""

from __future__ import annotations

import hashlib
import pickle
import re
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import ahocorasick_rs

from rules.inflect import COMPOUND_STEMS, fold, folded_forms, lower, variants
from rules.lang import UNSPACED_SCRIPTS, frequent_words, script_of
from rules.library import read_cache, write_cache
from rules.load import RuleSet

ANY_LANG = "*"  # names given for every language
START, END = 1, 2  # a key must start, end at a word boundary
_CACHE_FORMAT = "wirewatch-presearch-2"  # 2: pruned keys
_WORD_RE = re.compile(r"\w+")
# Languages where clitics attach to acronyms too (ABD'ye, 북한이, والناتو).
_CLITIC_LANGS = frozenset({"tr", "ko", "ar"})
# Thai, Lao, Myanmar, Khmer, Hangul, CJK, kana and fullwidth: a superset of the letters
# that end a key needing no boundary (_open_end decides), so most keys are passed by.
_MAYBE_OPEN = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1100-\u11ff\u1780-\u17ff\u2e80-\u9fff"
    "\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff]"
)
# A presearch of at most this many keys gets the DFA (rules.presearch.automaton).
DFA_KEYS = 20_000


def automaton(keys: list[str], *, dfa: bool = False) -> ahocorasick_rs.AhoCorasick:
    """An automaton finding `keys`, reported by their index: a contiguous NFA, or a DFA.

    The DFA walks text ~3x as fast and takes ~2.5 KB a key (32 MB for the
    13,000 of the shipped watch), the NFA a few hundred bytes. The keys
    themselves are not kept (`store_patterns=False`): only their indexes are
    asked for (their copies: 4 MB of the 28 the whole library's 524,000 keys take).
    """
    kinds = ahocorasick_rs.Implementation
    kind = kinds.DFA if dfa else kinds.ContiguousNFA
    return ahocorasick_rs.AhoCorasick(keys, implementation=kind, store_patterns=False)


def forms_of(word: str, orig: str, lang: str, *, first: bool, last: bool) -> frozenset[str]:
    """The folded forms of a folded name word (`orig`: as written; acronyms stay as
    they are). They are made from the word in lower case as written, whose endings
    carry the accents and letters the inflection rules know (Ρωσία, not ρωσια)."""
    acronym = orig.isupper() and len(orig) >= 2
    if acronym and lang not in _CLITIC_LANGS and lang not in ("ru", "uk"):
        return frozenset({word})
    written = lower(orig)
    base = written if variants(written) == word else word
    return frozenset({word, *folded_forms(base, lang, first=first, last=last)})


def common_word(name: str) -> bool:
    """Written in lower case, in a script that has case (not კიმ). A weak name so
    written in the rules ("russo") is the common word, a name of the actor where a
    text writes it so too; capitalized ("Russo", the surname) it stays weak."""
    return name == name.lower() and name != name.capitalize()


# Names that are the first half of compounds (Finnish venäläis-: venäläisjoukot, as
# rules.nlp splits them) need no word boundary after them.
_COMPOUND_ENDS = tuple(s for stems in COMPOUND_STEMS.values() for s in stems)


def _unspaced(ch: str) -> bool:
    """Scripts written without spaces between words: a name may start or end anywhere."""
    return script_of(ch) in UNSPACED_SCRIPTS


@dataclass
class WordPresearch:
    """One Aho-Corasick pass, over every language's names, at word boundaries.

    The keys are every form of the most selective word of each strong name
    (in every language the rules name it in), so a key must be a whole word
    of the text: "ros" (Polish Rosja's stem) no longer fires on "rose".
    Where a script has no spaces (CJK, Thai, ...) and after Hangul (Korean
    attaches particles and compounds) no boundary is required. It is a
    superset filter: an actor it does not find in any language cannot match.
    """

    automaton: ahocorasick_rs.AhoCorasick | None = None
    # Per key (by its index in the automaton): the (language, actor) pairs it stands for
    # (shared tuples), and whether it must start (START) and end (END) at a word boundary.
    # Compact: the whole library's half million keys cost ~10 MB here, not ~150.
    pairs: list[tuple[tuple[str, str], ...]] = field(default_factory=list)
    bounds: bytearray = field(default_factory=bytearray)
    scripts: dict[str, frozenset[str]] = field(default_factory=dict)
    _keys: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    _shared: dict[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]] = field(
        default_factory=dict
    )
    _letters: dict[str, Counter[str]] = field(default_factory=dict)

    def add_names(
        self, names: Iterable[str], lang: str, actor: str, common: Counter[str] | None = None
    ) -> None:
        """Register the strong names of `actor` in `lang`: the forms of one word of each.

        A name holding a word that is a one-word name of its own ("Vladimir
        Putin" and "Putin") needs no key; otherwise the word most of the
        actor's names share most, for how many actors' names hold it
        (`common`), is the key: "korea" for "Workers' Party of Korea", not
        "workers"; "koreans" for "North Koreans", not "north". A frequent word
        of the language (rules/langid/frequent.tsv) is the key only where every
        word of the name is one, and then the rarest: "korea" for "North Korea".
        """
        parsed = []
        for name in names:
            folded = fold(name.strip())
            if not folded:
                continue
            self._letters.setdefault(lang, Counter()).update(
                script_of(c) for c in folded if c.isalpha()
            )
            words = _WORD_RE.findall(folded)
            originals = _WORD_RE.findall(name.strip())
            parsed.append((folded, words, originals if len(originals) == len(words) else words))
        singles = {words[0] for _, words, _ in parsed if len(words) == 1}
        shared = Counter(w for _, words, _ in parsed for w in set(words))
        for folded, words, originals in parsed:
            if len(words) > 1 and singles.intersection(words):
                continue
            if not words or any(_unspaced(c) for c in folded):
                keys: Collection[str] = [folded]  # matched per character there
            else:
                df = common or Counter()
                ranks = frequent_words()
                rank = ranks.get(lang) or ranks["*"]
                i = max(
                    range(len(words)),
                    key=lambda k: (
                        len(words[k]) > 2,  # never "n" for "N. Korea"
                        words[k] not in rank,  # "korea" for "North Korea", not "north"
                        rank.get(words[k], 0),  # else the rarer
                        shared[words[k]] / max(1, df[words[k]]),
                        len(words[k]),
                        k,
                    ),
                )
                keys = forms_of(
                    words[i], originals[i], lang, first=i == 0, last=i == len(words) - 1
                )
            one = self._share(((lang, actor),))
            for key in keys:
                known = self._keys.get(key)
                if known is None:
                    self._keys[key] = one
                elif one[0] not in known:
                    self._keys[key] = self._share(tuple(sorted((*known, *one))))

    def _share(self, pairs: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
        return self._shared.setdefault(pairs, pairs)

    def prune(self) -> None:
        """Drop the keys that extend a key needing no boundary after it, for the same
        or fewer (language, actor) pairs: "북한" finds "북한이" and "북한과" already.

        The Korean particle forms were two thirds of the shipped watch's keys
        (39,203 -> 13,098) and half of the whole library's.
        """
        keys = self._keys
        kept = {}
        for key, pairs in keys.items():
            if not key.isascii() and _MAYBE_OPEN.search(key):
                ends = (key[:i] for i in range(1, len(key)) if _open_end(key[i - 1]))
                if any(p in keys and set(pairs) <= set(keys[p]) for p in ends):
                    continue
            kept[key] = pairs
        self._keys = kept

    def scripts_of_letters(self) -> dict[str, frozenset[str]]:
        """Each language's scripts: those of at least a tenth of its names' letters."""
        out = {}
        for lang, counts in self._letters.items():
            total = sum(counts.values())
            out[lang] = frozenset(s for s, k in counts.items() if k >= 0.1 * total)
        return out

    def build(self, *, scripts: bool = True) -> WordPresearch:
        """Freeze the keys into the automaton (and the letters into each language's
        scripts, unless they are known already)."""
        keys = list(self._keys)
        self.pairs = list(self._keys.values())
        self.bounds = bytearray(
            (START if not _unspaced(key[0]) else 0)
            | (END if not (_open_end(key[-1]) or key.endswith(_COMPOUND_ENDS)) else 0)
            for key in keys
        )
        self._keys, self._shared = {}, {}
        if keys:
            # The watched actors' few keys (the daemon's, every article): the fast one.
            self.automaton = automaton(keys, dfa=len(keys) <= DFA_KEYS)
        if scripts:
            self.scripts = self.scripts_of_letters()
        self._letters = {}
        return self

    def scan(self, folded: str) -> dict[str, dict[str, int]]:
        """Per language, the actors whose names occur as whole words (and how often)."""
        found: dict[str, dict[str, int]] = {}
        if self.automaton is None:
            return found
        n = len(folded)
        bounds, pairs = self.bounds, self.pairs
        for index, first, last in self.automaton.find_matches_as_indexes(folded, overlapping=True):
            bound = bounds[index]
            if bound & START and first > 0 and _is_word(folded[first - 1]):
                continue
            if bound & END and last < n and _is_word(folded[last]):
                continue
            _count(found, pairs[index])
        return found


@lru_cache(maxsize=8192)
def _open_end(ch: str) -> bool:
    """A key ending in `ch` needs no word boundary after it: no spaces in the script,
    or Hangul, to which Korean attaches its particles."""
    return _unspaced(ch) or script_of(ch) == "HANGUL"


def _count(found: dict[str, dict[str, int]], pairs: tuple[tuple[str, str], ...]) -> None:
    for lang, actor in pairs:
        seen = found.setdefault(lang, {})
        seen[actor] = seen.get(actor, 0) + 1


def _is_word(ch: str) -> bool:
    return ch.isalnum() and not _unspaced(ch)


def word_presearch(
    rules: RuleSet, actors: Iterable[str], cache_dir: Path | None = None
) -> WordPresearch:
    """The presearch over every language's strong names of `actors`.

    With `cache_dir`, its keys are kept there, named by a digest of every
    actor's names, the actors asked for and the code that makes the forms:
    the whole library's half million keys take ~2.8 s of CPU to make and a
    fraction of that to read back.
    """
    wanted_ids = sorted(a for a in set(actors) if a in rules.actors)
    cache = _cache_path(rules, wanted_ids, cache_dir) if cache_dir is not None else None
    cached = _read_cache(cache) if cache is not None else None
    if cached is not None:
        return cached
    out = _make(rules, wanted_ids)
    out.prune()
    if cache is not None:
        _write_cache(cache, out)
    return out.build()


def _make(rules: RuleSet, actors: list[str]) -> WordPresearch:
    out = WordPresearch()
    wanted = [rules.actors[a] for a in actors]
    langs = {lang for a in wanted for lang in a.names}
    # In how many actors' names (per language) each word occurs.
    common: dict[str, Counter[str]] = {lang: Counter() for lang in langs}
    for actor in rules.actors.values():
        for lang, names in actor.names.items():
            if lang in common:
                common[lang].update(set(_WORD_RE.findall(fold(" ".join(names)))))
    for actor in wanted:
        for lang, names in actor.names.items():
            out.add_names(names, lang, actor.id, common[lang])
        for lang, names in actor.weak.items():  # "gas russo" names Russia on its own
            if cased := [n for n in names if common_word(n)]:
                out.add_names(cased, lang, actor.id, common.get(lang))
    return out


# The code that decides the keys: a change to any of these files makes a new cache.
_CODE = ("presearch.py", "inflect.py", "suffixes.py", "lang.py", "langid/frequent.tsv")


@lru_cache(maxsize=1)
def code_digest() -> bytes:
    """The presearch's format, the code that decides its keys, and pymorphy's dictionaries."""
    h = hashlib.sha256(_CACHE_FORMAT.encode())
    for name in _CODE:
        h.update((Path(__file__).parent / name).read_bytes())
    for dist in ("pymorphy3", "pymorphy3-dicts-ru", "pymorphy3-dicts-uk"):
        try:
            h.update(f"{dist}={metadata.version(dist)}".encode())
        except metadata.PackageNotFoundError:
            h.update(dist.encode())
    return h.digest()


def _cache_path(rules: RuleSet, wanted: list[str], cache_dir: Path) -> Path:
    h = hashlib.sha256(code_digest())
    h.update("\0".join(wanted).encode())
    for aid in sorted(rules.actors):
        h.update(b"\1" + aid.encode())
        for lang, names in sorted(rules.actors[aid].names.items()):
            h.update(b"\2" + lang.encode() + b"\3" + "\0".join(names).encode())
    return cache_dir / f"presearch-{h.hexdigest()[:24]}.pickle"


def _read_cache(path: Path) -> WordPresearch | None:
    raw = read_cache(path)
    try:
        data = pickle.loads(raw) if raw is not None else None
        if not (isinstance(data, dict) and data.get("format") == _CACHE_FORMAT):
            return None
        out = WordPresearch(scripts=data["scripts"], _letters={})
        out._keys = dict(zip(data["keys"], data["pairs"], strict=True))
    except (pickle.UnpicklingError, EOFError, KeyError, TypeError, ValueError):
        return None
    return out.build(scripts=False)


def _write_cache(path: Path, made: WordPresearch) -> None:
    data = {
        "format": _CACHE_FORMAT,
        "keys": list(made._keys),
        "pairs": list(made._keys.values()),
        "scripts": made.scripts_of_letters(),
    }
    write_cache(path, pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
