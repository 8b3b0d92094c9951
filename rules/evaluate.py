"""Decide whether one watch fires on one matched article, and collect why (pure).

A watch is tested on *units*: sentences (never crossing a paragraph), blank-
or newline-separated paragraphs, windows of N tokens around each mention, or
the whole article. A unit passes when every `all` actor is in it, and either

- without `threshold`: one `any` actor (if given) and one term (if given)
  are in it too, or
- with `threshold`: the weights of the distinct watched actors and terms in
  it add up to at least the threshold (unlisted ones weigh 1), as EMM's
  categories do.

`none` actors veto the whole article; `min_mentions` counts mentions of the
watch's actors in the whole article.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import pairwise

from spacy.pipeline import Sentencizer
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span

from rules.cuebook import CueBook
from rules.lexicon import TERM, names_in
from rules.load import Watch
from rules.model import Evidence, Hit, Mention
from rules.nlp import ABBREVIATIONS
from rules.paragraphs import paragraph_bounds
from rules.relation import describe_relation, describe_unclassified, evaluate_relation
from rules.spec import SentencesScope, WithinScope

# ORTH ids of the characters that end a sentence (spaCy's Sentencizer's list).
_ENDERS = frozenset(get_string_id(c) for c in Sentencizer.default_punct_chars)
_PERIOD = get_string_id(".")
_NONE: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class Unit:
    """A stretch of the text: character and token offsets."""

    start: int
    end: int
    tok_start: int
    tok_end: int


def evaluate(
    watch: Watch,
    text: str,
    segments: Segments,
    spans: list[Span],
    term_spans: list[Span],
    article_id: str,
    *,
    cues: CueBook | None = None,
    context: list[Span] | None = None,
) -> Hit | None:
    """The hit of `watch` on a matched article, or None if it does not fire.

    A watch with a `pair` is decided by rules.relation on `context` (the
    mentions of every actor, so that lists of names are seen as lists).
    """
    w = watch.spec
    present = {s.label_ for s in spans}
    if present & set(w.none) or not set(w.all) <= present:
        return None
    if w.pair:
        if not set(w.pair) <= present:
            return None
        found = evaluate_relation(
            watch,
            text,
            segments.text,
            segments.sentence_bounds(),
            context if context is not None else spans,
            cues or CueBook({}),
            segments.lang,
        )
        return _hit(watch, article_id, found) if found else None
    wanted = set(w.all) | set(w.any)
    if sum(1 for s in spans if s.label_ in wanted) < w.min_mentions:
        return None
    lang = segments.lang
    terms = {f"{TERM}|{t}" for t in names_in(w.terms, lang)}
    if w.terms and not terms and w.threshold is None:
        return None  # the watch needs a term and names none in this language
    mine = [t for t in term_spans if t.label_ in terms]
    evidence = [
        e
        for unit in units(segments, w.scope, [s for s in spans if s.label_ in wanted])
        for e in [_evidence(watch, text, unit, spans, mine)]
        if e is not None
    ]
    if not evidence:
        return None
    return _hit(watch, article_id, evidence)


def _hit(watch: Watch, article_id: str, evidence: list[Evidence]) -> Hit:
    w = watch.spec
    return Hit(
        watch_id=w.id,
        article_id=article_id,
        evidence=tuple(evidence),
        severity=w.severity,
        title=w.title or w.id,
        channels=tuple(w.channels),
        rule_file=watch.file,
        rule_version=watch.version,
        condition=describe(watch),
    )


def _evidence(
    watch: Watch, text: str, unit: Unit, spans: list[Span], terms: list[Span]
) -> Evidence | None:
    """What `unit` shows, if it makes the watch fire."""
    w = watch.spec
    wanted = set(w.all) | set(w.any)
    inside = [s for s in spans if unit.tok_start <= s.start and s.end <= unit.tok_end]
    unit_terms = [t for t in terms if unit.tok_start <= t.start and t.end <= unit.tok_end]
    actors = {s.label_ for s in inside} & wanted
    score = _passes(watch, actors, {t.label_[2:] for t in unit_terms})
    if score is None:
        return None
    return Evidence(
        text=text[unit.start : unit.end],
        start=unit.start,
        end=unit.end,
        actors=tuple(sorted(actors)),
        mentions=tuple(
            Mention(s.label_, text[s.start_char : s.end_char], s.start_char, s.end_char)
            for s in inside
            if s.label_ in wanted
        ),
        terms=tuple(text[t.start_char : t.end_char] for t in unit_terms),
        score=score if w.threshold is not None else None,
    )


def _passes(watch: Watch, actors: set[str], terms: set[str]) -> float | None:
    """The unit's score if it passes (1.0 without a threshold), else None."""
    w = watch.spec
    if not set(w.all) <= actors:
        return None
    if w.threshold is None:
        if w.any and not actors & set(w.any):
            return None
        if w.terms and not terms:
            return None
        return 1.0
    score = sum(w.weights.get(a, 1.0) for a in actors)
    score += sum(w.weights.get(t, 1.0) for t in terms)
    return score if score >= w.threshold else None


class Segments:
    """Sentences and paragraphs of one doc, computed once and looked up by token."""

    def __init__(self, doc: Doc, text: str, lang: str = "") -> None:
        self.doc = doc
        self.text = text
        # The article's language: a language without a blank spaCy pipeline of its
        # own (ka, kk, sw) is tokenized by the multi-language one, whose docs say "xx".
        self.lang = lang or doc.lang_
        idx, length, orth, punct = doc.to_array(["IDX", "LENGTH", "ORTH", "IS_PUNCT"]).T.tolist()
        self._idx: list[int] = idx
        self._ends = [i + n for i, n in zip(idx, length, strict=True)]
        abbrevs = ABBREVIATIONS.get(self.lang, _NONE)

        def is_abbrev(i: int) -> bool:
            word = text[idx[i] : self._ends[i]]
            return orth[i] in abbrevs or "." in word or (len(word) == 1 and word.isalpha())

        self._sent_starts = _sentence_starts(orth, punct, is_abbrev)
        self._paras = paragraph_bounds(text)
        self._para_starts = [s for s, _ in self._paras]
        self._bounds: list[tuple[int, int]] | None = None

    def _tokens(self, start: int, end: int) -> Unit:
        lo = bisect_left(self._ends, start + 1)
        hi = bisect_left(self._idx, end)
        return Unit(start, end, lo, max(lo, hi))

    def paragraph(self, tok: int) -> Unit:
        """The paragraph holding token `tok`."""
        at = self._idx[tok]
        p = max(0, bisect_right(self._para_starts, at) - 1)
        if not self._paras:
            return Unit(0, len(self.text), 0, len(self.doc))
        return self._tokens(*self._paras[p])

    def sentence_bounds(self) -> list[tuple[int, int]]:
        """Every sentence as (start, end) characters, cut at paragraph boundaries, in order."""
        if self._bounds is None:
            idx = self._idx
            cuts = sorted({idx[k] for k in self._sent_starts if k < len(idx)})
            out: list[tuple[int, int]] = []
            text = self.text
            for ps, pe in self._paras:
                lo, hi = bisect_right(cuts, ps), bisect_left(cuts, pe)
                marks = [ps, *cuts[lo:hi], pe]
                for s, e in pairwise(marks):
                    while s < e and text[s].isspace():
                        s += 1
                    while e > s and text[e - 1].isspace():
                        e -= 1
                    if s < e:
                        out.append((s, e))
            self._bounds = out
        return self._bounds

    def sentence(self, tok: int) -> Unit:
        """The sentence holding token `tok`, cut at paragraph boundaries."""
        k = bisect_right(self._sent_starts, tok) - 1
        first = self._sent_starts[k]
        last = (self._sent_starts[k + 1] if k + 1 < len(self._sent_starts) else len(self.doc)) - 1
        para = self.paragraph(tok)
        start = max(self._idx[first], para.start)
        end = min(self._ends[last], para.end)
        text = self.text
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        return self._tokens(start, end)


def units(
    segments: Segments, scope: str | WithinScope | SentencesScope, anchors: list[Span]
) -> Iterable[Unit]:
    """The stretches of the doc holding a mention in `anchors`, in text order, once each."""
    doc = segments.doc
    if scope == "article":
        if anchors:
            yield Unit(0, len(segments.text), 0, len(doc))
        return
    seen: set[tuple[int, int]] = set()
    for s in anchors:
        if isinstance(scope, WithinScope):
            unit = _window(doc, scope.within, s)
        elif scope == "paragraph":
            unit = segments.paragraph(s.start)
        else:
            unit = segments.sentence(s.start)
        if (unit.start, unit.end) not in seen:
            seen.add((unit.start, unit.end))
            yield unit


def _sentence_starts(
    orth: list[int], punct: list[int], is_abbrev: Callable[[int], bool]
) -> list[int]:
    """Token indices that begin a sentence: the first non-punctuation after an ender.

    The same rule as spaCy's Sentencizer, without making a Token per token,
    and a period after an abbreviation ("Dr", "z.b", "U.S", "J") ends nothing.
    """
    starts = [0]
    seen_end = False
    for i, (o, p) in enumerate(zip(orth, punct, strict=True)):
        if seen_end and not p:
            starts.append(i)
            seen_end = False
        elif o in _ENDERS and not (o == _PERIOD and i and is_abbrev(i - 1)):
            seen_end = True
    return starts


def _window(doc: Doc, size: int, s: Span) -> Unit:
    # `size` tokens either side of the mention, not counting whitespace tokens.
    lo, hi, n = s.start, s.end, 0
    while lo > 0 and n < size:
        lo -= 1
        n += not doc[lo].is_space
    n = 0
    while hi < len(doc) and n < size:
        n += not doc[hi].is_space
        hi += 1
    return Unit(doc[lo].idx, doc[hi - 1].idx + len(doc[hi - 1].text), lo, hi)


def describe(watch: Watch) -> str:
    """The watch's condition in words (shown with every hit)."""
    w = watch.spec
    if w.pair:
        return describe_relation(w.pair, w.relation, w.scope) + describe_unclassified(
            w.unclassified
        )
    parts = []
    if w.all:
        parts.append("all of " + ", ".join(w.all))
    if w.any:
        parts.append("any of " + ", ".join(w.any))
    if w.none:
        parts.append("none of " + ", ".join(w.none))
    scope = (
        f"within {w.scope.within} tokens"
        if isinstance(w.scope, WithinScope)
        else f"in one {w.scope}"
    )
    if w.threshold is not None:
        scope += f" with weights summing to >= {w.threshold:g}"
    elif w.terms:
        scope += " near a topic term"
    if w.min_mentions > 1:
        scope += f", {w.min_mentions}+ mentions"
    return " and ".join(parts) + " " + scope
