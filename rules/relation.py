"""Relations between two actors: a pair, a cue word, a class, a direction (pure).

A watch with `pair: [A, B]` and `relation: <class>` fires on a window of one
or a few adjacent sentences (`scope: {sentences: N}`) when

1. A and B form a pair there: both are named outside any *list* (three or
   more actors joined by commas or and/und/и/와/、/和, or announced by a count
   such as "the four countries" or "4+1"), and not as places ("near Russia
   and North Korea"); a compound ("Russia-North Korea", 북러, 朝露) or a
   coordination ("Russia and North Korea") of just the two counts;
2. a cue word of the wanted class is tied to them: it stands in a sentence of
   the window that names A or B (outside a list), that has a bilateral
   phrase ("the two countries", 両国), or that names no other actor; and a
   conflict cue in a sentence where the two are coordinated ("Russia and
   North Korea condemned the US") is theirs against a third party, not
   between them;
3. cooperation and conflict cues both tied: the more numerous family wins
   (both on a tie); the cue that is the verb between the two (SVO), or the
   last one after both (verb-final languages), counts twice.

The direction (source, target) is given only when it is cheap and plain:
particles in ko/ja/tr, else the pair on both sides of the cue in SVO
languages; pairs joined as compounds, coordinations or by a bilateral phrase
are undirected.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from spacy.tokens import Span

from rules.cuebook import BILATERAL, COUNT, GEOGRAPHY, CueBook, CueLexicon, Found
from rules.load import Watch
from rules.model import Cue, Evidence, Mention, Relation
from rules.spec import RELATION_CLASSES, SentencesScope

WANTED: dict[str, frozenset[str]] = {
    "cooperation": frozenset({"verbal_cooperation", "material_cooperation"}),
    "conflict": frozenset({"verbal_conflict", "material_conflict"}),
    "any": frozenset(RELATION_CLASSES),
    **{c: frozenset({c}) for c in RELATION_CLASSES},
}
_COOP = WANTED["cooperation"]
UNCLASSIFIED = "unclassified"
_DASHES = frozenset("-‐‑–—/")
# The Arabic-script comma and semicolon (، ؛) join lists in ar, fa and ur.
_LIST_PUNCT = frozenset(",、，;；・·&+،؛")
_NUMBERED = re.compile(r"\d\s*\+\s*\d")
_GEO_REACH = 14  # characters between a geography word and the names it makes places
_SVO = frozenset({"en", "fr", "es", "it", "pt", "pl", "ru", "uk", "zh", "de", "nl", "sv"})
# Verb-final languages: the main verb comes after both actors, and what stands
# before it is often its content ("accused China of supplying Russia").
_VERB_FINAL = frozenset({"ja", "ko", "tr", "hi", "ur", "bn", "fa", "az", "kk", "hy", "ka"})
# Particles after a name that make it the subject (source) or the object (target).
_KO_SOURCE = ("이", "가", "은", "는", "께서", "측은", "측이")
_KO_TARGET = ("을", "를", "에", "에게", "에게는", "에는", "에도", "측에")
_KO_AND = ("와", "과", "랑", "하고")
_JA_SOURCE = ("は", "が")
_JA_TARGET = ("を", "に", "へ")
_TR_TARGET = re.compile(r"['’](?:y?[ae]|n?[ae]|y?[ıiuü]|n[ıiuü])$")


@dataclass(slots=True)
class Item:
    """One actor mention, or several sharing a place (a two-actor compound: 북러)."""

    start: int
    end: int
    actors: set[str]
    spans: list[Span] = field(default_factory=list)


@dataclass(slots=True)
class Sentence:
    """What one sentence holds: items, which of them are in lists or places, cues."""

    start: int
    end: int
    items: list[Item] = field(default_factory=list)
    blocked: set[int] = field(default_factory=set)  # items in a list or used as places
    joined: list[tuple[str, int, int]] = field(default_factory=list)  # (how, item, item)
    cues: list[Found] | None = None


def evaluate_relation(
    watch: Watch,
    text: str,
    folded: str,
    sentences: Sequence[tuple[int, int]],
    spans: list[Span],
    cues: CueBook,
    lang: str,
) -> list[Evidence]:
    """The windows of sentences where the watch's pair is in its relation, as evidence."""
    w = watch.spec
    a, b = w.pair[0], w.pair[1]
    wanted = WANTED[w.relation or "any"]
    n_max = w.scope.sentences if isinstance(w.scope, SentencesScope) else 1
    starts = [s for s, _ in sentences]
    # Cheap first: are the two ever named within n_max sentences of each other?
    where: dict[str, list[int]] = {a: [], b: []}
    for span in spans:
        if span.label_ in where:
            where[span.label_].append(bisect_right(starts, span.start_char) - 1)
    if not any(abs(i - j) < n_max for i in where[a] for j in where[b]):
        return []
    lex = cues.get(lang)
    sents = [Sentence(s, e) for s, e in sentences]
    named: list[set[str]] = [set() for _ in sents]  # which of the pair each sentence names
    for span in spans:
        k = bisect_right(starts, span.start_char) - 1
        if k >= 0:
            _add(sents[k], span)
            if span.label_ in (a, b):
                named[k].add(span.label_)
    evidence: list[Evidence] = []
    used: set[int] = set()
    structured: set[int] = set()
    for n in range(1, n_max + 1):
        for first in range(len(sents) - n + 1):
            window = range(first, first + n)
            if used.intersection(window) or len(set().union(*(named[k] for k in window))) < 2:
                continue
            for k in window:
                if named[k] and k not in structured:
                    structured.add(k)
                    _structure(sents[k], folded, lex)
            found = _window(
                text, folded, [sents[k] for k in window], (a, b), wanted, lex, w.unclassified
            )
            if found is not None:
                used.update(window)
                evidence.append(found)
    return sorted(evidence, key=lambda e: e.start)


def _add(sent: Sentence, span: Span) -> None:
    for it in sent.items:
        if span.start_char < it.end and it.start < span.end_char:
            it.actors.add(span.label_)
            it.spans.append(span)
            it.start, it.end = min(it.start, span.start_char), max(it.end, span.end_char)
            return
    sent.items.append(Item(span.start_char, span.end_char, {span.label_}, [span]))


def _structure(sent: Sentence, folded: str, lex: CueLexicon) -> None:
    """Find the sentence's lists, compounds, coordinations and places."""
    sent.items.sort(key=lambda it: it.start)
    sent.cues = [
        c
        for c in lex.find(folded, sent.start, sent.end)
        if not any(c.start < it.end and it.start < c.end for it in sent.items)
    ]
    counted = any(c.kind == COUNT for c in sent.cues) or bool(
        _NUMBERED.search(folded, sent.start, sent.end)
    )
    geo = [c for c in sent.cues if c.kind == GEOGRAPHY]
    items = sent.items
    groups: list[tuple[list[int], list[str]]] = []
    members: list[int] = [0]
    links: list[str] = []
    for i in range(1, len(items)):
        link = _link(folded, items[i - 1], items[i], lex)
        if link:
            members.append(i)
            links.append(link)
        else:
            groups.append((members, links))
            members, links = [i], []
    if items:
        groups.append((members, links))
    for members, links in groups:
        _close(members, links, sent, counted, geo, lex.lang)
    for i, it in enumerate(items):
        if len(it.actors) >= 3:
            sent.blocked.add(i)


def _close(
    members: list[int],
    links: list[str],
    sent: Sentence,
    counted: bool,
    geo: list[Found],
    lang: str,
) -> None:
    """Classify a chain of linked items: list, compound, coordination, places."""
    if len(members) == 1:
        i = members[0]
        it = sent.items[i]
        if _near_geo(it.start, it.end, geo):
            sent.blocked.add(i)
        elif len(it.actors) == 2:
            sent.joined.append(("compound", i, i))
        return
    first, last = sent.items[members[0]], sent.items[members[-1]]
    actors = {x for i in members for x in sent.items[i].actors}
    if (
        len(actors) >= 3
        or _near_geo(first.start, last.end, geo)
        or (counted and "dash" not in links)
    ):
        sent.blocked.update(members)
        return
    if len(actors) == 2 and not (lang == "tr" and links == ["comma"]):
        # (Turkish sets a comma after the subject: "Kuzey Kore, Rusya'ya ... gönderdi".)
        how = "compound" if all(k == "dash" for k in links) else "coordination"
        sent.joined.append((how, members[0], members[-1]))


def _near_geo(start: int, end: int, geo: list[Found]) -> bool:
    return any(
        0 <= start - g.end <= _GEO_REACH or 0 <= g.start - end <= _GEO_REACH // 2 for g in geo
    )


def _link(folded: str, left: Item, right: Item, lex: CueLexicon) -> str:
    """How two neighbouring items are joined: 'dash', 'and' (a list link) or ''."""
    gap = folded[left.end : right.start]
    bare = gap.strip()
    if not bare:
        if not gap:
            return "dash"
        if lex.lang == "ko":  # 러시아와 북한: "and" is the particle on the first name
            return "and" if folded[left.start : left.end].endswith(_KO_AND) else ""
        return "and"
    if all(c in _DASHES for c in bare):
        return "dash"
    rest = bare
    if lex.substring:
        for j in sorted(lex.joiners, key=len, reverse=True):
            rest = rest.replace(j, " ")
        words = rest.split()
    else:
        words = [w for w in re.split(r"[\s,、，;；،؛]+", rest) if w and w not in lex.joiners]
    if any(any(c.isalnum() for c in w) for w in words):
        return ""
    if any(c.isalnum() for c in bare):
        return "and"
    return "comma" if any(c in _LIST_PUNCT for c in bare) else ""


def _window(
    text: str,
    folded: str,
    sents: list[Sentence],
    pair: tuple[str, str],
    wanted: frozenset[str],
    lex: CueLexicon,
    unclassified: bool = False,
) -> Evidence | None:
    a, b = pair
    free: dict[str, list[Item]] = {a: [], b: []}
    how = "mentions"
    for s in sents:
        for i, it in enumerate(s.items):
            if i in s.blocked:
                continue
            for actor in it.actors & {a, b}:
                free[actor].append(it)
        for kind, i, j in s.joined:
            if {a, b} <= s.items[i].actors | s.items[j].actors:
                how = kind
    if not free[a] or not free[b]:
        return None
    together = bilateral_in(sents) or any(
        {a, b} <= {x for i, it in enumerate(s.items) if i not in s.blocked for x in it.actors}
        for s in sents
    )
    tied: list[tuple[Found, Sentence]] = []
    for k, s in enumerate(sents):
        if s.cues is None:
            s.cues = lex.find(folded, s.start, s.end)
        names_pair = any(i not in s.blocked and it.actors & {a, b} for i, it in enumerate(s.items))
        others = any(i not in s.blocked and it.actors - {a, b} for i, it in enumerate(s.items))
        has_bilateral = any(c.kind == BILATERAL for c in s.cues)
        if not (names_pair or has_bilateral or not others):
            continue
        if not together and k == 0 and len(sents) > 1:
            continue  # the pair told across sentences: the cue comes after the first
        coordinated = any(
            k == "coordination" and {a, b} <= s.items[i].actors | s.items[j].actors
            for k, i, j in s.joined
        )
        for c in s.cues:
            if c.kind not in RELATION_CLASSES:
                continue
            if c.kind not in _COOP and coordinated and others and not has_bilateral:
                continue  # "Russia and North Korea condemned the US": not against each other
            tied.append((c, s))
    if not tied and not (unclassified and lex.empty):
        return None
    classes = _classes([(c.kind, _weighs_double(c, s, pair, lex.lang)) for c, s in tied])
    if tied and not classes & wanted:
        return None
    # No cue words in this language at all: the pair alone, if the watch asks for that.
    cls = (
        Counter(c.kind for c, _ in tied if c.kind in classes & wanted).most_common(1)[0][0]
        if tied
        else UNCLASSIFIED
    )
    if bilateral_in(sents) and how == "mentions":
        how = "bilateral"
    source, target = (None, None)
    if how in ("mentions",):
        source, target = _direction(text, folded, tied, cls, pair, lex.lang)
    start, end = sents[0].start, sents[-1].end
    mentions = sorted(
        {sp for items in free.values() for it in items for sp in it.spans if sp.label_ in pair},
        key=lambda sp: (sp.start_char, sp.end_char, sp.label_),  # a compound names two
    )
    cue_values = tuple(Cue(c.kind, text[c.start : c.end], c.start, c.end) for c, _ in tied)
    return Evidence(
        text=text[start:end],
        start=start,
        end=end,
        actors=tuple(sorted(pair)),
        mentions=tuple(
            Mention(sp.label_, text[sp.start_char : sp.end_char], sp.start_char, sp.end_char)
            for sp in mentions
        ),
        terms=tuple(c.text for c in cue_values),
        relation=Relation(
            pair=pair,
            cls=cls,
            cues=cue_values,
            how=how,
            source=source,
            target=target,
            sentences=len(sents),
        ),
    )


def bilateral_in(sents: list[Sentence]) -> bool:
    """Whether a sentence of the window names the two as a pair (両国, between)."""
    return any(c.kind == BILATERAL for s in sents for c in s.cues or ())


def _weighs_double(cue: Found, s: Sentence, pair: tuple[str, str], lang: str) -> bool:
    """Whether the cue is the sentence's verb for the pair: between them, or last after both."""
    if lang not in _VERB_FINAL:
        return _between(cue, s, pair)
    last = max((c.start for c in s.cues or () if c.kind in RELATION_CLASSES), default=-1)
    before = {x for it in s.items if it.end <= cue.start for x in it.actors & set(pair)}
    return cue.start == last and before == set(pair)


def _between(cue: Found, s: Sentence, pair: tuple[str, str]) -> bool:
    """Whether the cue stands between a mention of one of the pair and one of the other."""
    before = {x for it in s.items if it.end <= cue.start for x in it.actors & set(pair)}
    after = {x for it in s.items if it.start >= cue.end for x in it.actors & set(pair)}
    return bool(before and after and before | after == set(pair))


def _classes(kinds: list[tuple[str, bool]]) -> frozenset[str]:
    """The classes of the winning family (both on a tie); a cue between the two counts twice."""
    coop = sum(2 if between else 1 for k, between in kinds if k in _COOP)
    conflict = sum(2 if between else 1 for k, between in kinds if k not in _COOP)
    keep = {
        k
        for k, _ in kinds
        if (k in _COOP and coop >= conflict) or (k not in _COOP and conflict >= coop)
    }
    return frozenset(keep)


def _direction(
    text: str,
    folded: str,
    tied: list[tuple[Found, Sentence]],
    cls: str,
    pair: tuple[str, str],
    lang: str,
) -> tuple[str | None, str | None]:
    """Source and target when the sentence makes them plain, else (None, None)."""
    for cue, s in tied:
        if cue.kind != cls:
            continue
        roles: dict[str, str] = {}
        for i, it in enumerate(s.items):
            actors = it.actors & set(pair)
            if i in s.blocked or len(actors) != 1:
                continue
            role = _role(text, folded, it, cue, lang)
            if role:
                roles.setdefault(role, next(iter(actors)))
        src, tgt = roles.get("source"), roles.get("target")
        if src and tgt and src != tgt:
            return src, tgt
    return None, None


def _role(text: str, folded: str, it: Item, cue: Found, lang: str) -> str:
    if lang == "ko":
        word = folded[it.start : it.end]
        if word.endswith(_KO_TARGET):
            return "target"
        return "source" if word.endswith(_KO_SOURCE) else ""
    if lang == "ja":
        nxt = folded[it.end : it.end + 1]
        return "source" if nxt in _JA_SOURCE else "target" if nxt in _JA_TARGET else ""
    if lang == "tr":
        word = text[it.start : it.end]
        return "target" if _TR_TARGET.search(word) else "source" if "'" not in word else ""
    if lang in _SVO:
        return "source" if it.end <= cue.start else "target" if it.start >= cue.end else ""
    return ""


def describe_relation(pair: Sequence[str], relation: str | None, scope: object) -> str:
    """The relation condition in words."""
    n = scope.sentences if isinstance(scope, SentencesScope) else 1
    where = "in one sentence" if n == 1 else f"within {n} adjacent sentences"
    rel = (relation or "any").replace("_", " ")
    return f"pair {pair[0]}, {pair[1]} in {rel} (a cue word {where}; lists do not count)"


def describe_unclassified(unclassified: bool) -> str:
    """What the watch does in a language without cue words."""
    return "; without cue words in a language: the pair alone" if unclassified else ""
