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

import re
from collections.abc import Iterable
from dataclasses import dataclass

from spacy.tokens import Doc, Span

from rules.lexicon import TERM, names_in
from rules.load import Watch
from rules.model import Evidence, Hit, Mention
from rules.spec import WithinScope

_PARA_RE = re.compile(r"\n\s*\n|\n")


@dataclass(frozen=True, slots=True)
class Unit:
    """A stretch of the text: character and token offsets."""

    start: int
    end: int
    tok_start: int
    tok_end: int


def watch_actors(watch: Watch, *, positive: bool = False) -> set[str]:
    """The actors a watch refers to (only those that can make it fire if `positive`)."""
    w = watch.spec
    out = set(w.all) | set(w.any)
    if not positive:
        out |= set(w.none)
    return out


def evaluate(
    watch: Watch,
    text: str,
    doc: Doc,
    spans: list[Span],
    term_spans: list[Span],
    article_id: str,
) -> Hit | None:
    """The hit of `watch` on a matched article, or None if it does not fire."""
    w = watch.spec
    present = {s.label_ for s in spans}
    if present & set(w.none) or not set(w.all) <= present:
        return None
    wanted = set(w.all) | set(w.any)
    if sum(1 for s in spans if s.label_ in wanted) < w.min_mentions:
        return None
    lang = doc.lang_
    terms = {f"{TERM}|{t}" for t in names_in(w.terms, lang)}
    if w.terms and not terms and w.threshold is None:
        return None  # the watch needs a term and names none in this language
    mine = [t for t in term_spans if t.label_ in terms]
    evidence: dict[tuple[int, int], Evidence] = {}
    for unit in units(doc, w.scope, [s for s in spans if s.label_ in wanted]):
        inside = [s for s in spans if unit.tok_start <= s.start and s.end <= unit.tok_end]
        unit_terms = [t for t in mine if unit.tok_start <= t.start and t.end <= unit.tok_end]
        actors = {s.label_ for s in inside} & wanted
        score = _passes(watch, actors, {t.label_[2:] for t in unit_terms})
        if score is None or (unit.start, unit.end) in evidence:
            continue
        evidence[(unit.start, unit.end)] = Evidence(
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
    if not evidence:
        return None
    return Hit(
        watch_id=w.id,
        article_id=article_id,
        evidence=tuple(evidence.values()),
        severity=w.severity,
        title=w.title or w.id,
        channels=tuple(w.channels),
        rule_file=watch.file,
        rule_version=watch.version,
        condition=describe(watch),
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


def units(doc: Doc, scope: str | WithinScope, anchors: list[Span]) -> Iterable[Unit]:
    """The stretches of `doc` a watch is tested on, in text order."""
    if isinstance(scope, WithinScope):
        yield from _windows(doc, scope.within, anchors)
    elif scope == "article":
        yield Unit(0, len(doc.text), 0, len(doc))
    elif scope == "paragraph":
        yield from _split_units(doc, _paragraph_bounds(doc.text))
    else:
        # Sentences never cross a paragraph (or title) boundary.
        paras = _paragraph_bounds(doc.text)
        bounds: list[tuple[int, int]] = []
        for sent in doc.sents:
            for ps, pe in paras:
                s, e = max(sent.start_char, ps), min(sent.end_char, pe)
                if s < e and doc.text[s:e].strip():
                    bounds.append((s, e))
        yield from _split_units(doc, bounds)


def _paragraph_bounds(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for m in _PARA_RE.finditer(text + "\n"):
        seg = text[pos : m.start()]
        if seg.strip():
            lead = len(seg) - len(seg.lstrip())
            out.append((pos + lead, pos + len(seg.rstrip())))
        pos = m.end()
    return out


def _split_units(doc: Doc, bounds: list[tuple[int, int]]) -> Iterable[Unit]:
    for s, e in bounds:
        span = doc.char_span(s, e, alignment_mode="expand")
        if span is not None:
            yield Unit(s, e, span.start, span.end)


def _windows(doc: Doc, size: int, anchors: list[Span]) -> Iterable[Unit]:
    # One window per mention: `size` tokens either side of it (spaces not counted).
    words = [t.i for t in doc if not t.is_space]
    index = {i: n for n, i in enumerate(words)}
    for s in anchors:
        first, last = index.get(s.start, 0), index.get(s.end - 1, len(words) - 1)
        lo = words[max(0, first - size)]
        hi = words[min(len(words) - 1, last + size)] + 1
        yield Unit(doc[lo].idx, doc[hi - 1].idx + len(doc[hi - 1].text), lo, hi)


def describe(watch: Watch) -> str:
    """The watch's condition in words (shown with every hit)."""
    w = watch.spec
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
