"""Compile a RuleSet into spaCy matchers once; match texts against them (pure).

Per language, every actor name is expanded into its inflected forms and put in
one PhraseMatcher on lower-cased tokens, so names only match whole tokens.
Exclusion phrases go into a second matcher: a name inside an exclusion is
dropped. Watches are then evaluated on sentences, paragraphs, token windows or
the whole article.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from rules.inflect import forms
from rules.lang import LanguageDetector
from rules.load import RuleSet, Watch
from rules.model import Evidence, Hit, MatchResult, Mention
from rules.nlp import Pipelines
from rules.spec import WithinScope

ANY_LANG = "*"
_STRONG, _WEAK, _EXCLUDE, _TERM = "n", "w", "x", "t"
_PARA_RE = re.compile(r"\n\s*\n|\n")


@dataclass(frozen=True, slots=True)
class _Compiled:
    names: PhraseMatcher
    exclude: PhraseMatcher


@dataclass(frozen=True, slots=True)
class _Unit:
    start: int  # character offsets
    end: int
    tok_start: int
    tok_end: int


class Engine:
    """Matches texts against a RuleSet; matchers are compiled once per language."""

    def __init__(self, rules: RuleSet, pipelines: Pipelines | None = None) -> None:
        self.rules = rules
        self.pipelines = pipelines or Pipelines()
        self._compiled: dict[str, _Compiled] = {}
        self._detector = LanguageDetector(sorted(rules.languages()))

    def detect(self, text: str) -> str | None:
        """The language of `text` among those the rules use, or None if unsure."""
        return self._detector.detect(text)

    def match(
        self,
        text: str,
        *,
        lang: str | None = None,
        article_id: str = "",
        source: str = "",
    ) -> MatchResult:
        """Find actor mentions and the watches that fire in `text`."""
        lang = (lang or "").split("-")[0].lower() or self.detect(text) or "xx"
        nlp = self.pipelines.get(lang)
        compiled = self._compile(lang, nlp)
        doc = nlp(text)
        spans = self._mentions(doc, compiled)
        mentions: dict[str, list[Mention]] = defaultdict(list)
        for span in spans:
            mentions[span.label_].append(
                Mention(span.label_, span.text, span.start_char, span.end_char)
            )
        hits = tuple(
            hit
            for w in self.rules.watches
            if _applies(w, lang, source)
            for hit in [self._evaluate(w, doc, spans, lang, nlp, article_id)]
            if hit is not None
        )
        return MatchResult(lang, {k: tuple(v) for k, v in sorted(mentions.items())}, hits)

    # -- compiling --------------------------------------------------------

    def _compile(self, lang: str, nlp: Language) -> _Compiled:
        compiled = self._compiled.get(lang)
        if compiled is None:
            names = PhraseMatcher(nlp.vocab, attr="LOWER")
            exclude = PhraseMatcher(nlp.vocab, attr="LOWER")
            for actor in self.rules.actors.values():
                for kind, table, matcher in (
                    (_STRONG, actor.names, names),
                    (_WEAK, actor.weak, names),
                    (_EXCLUDE, actor.exclude, exclude),
                ):
                    phrases = _phrases(table, lang, inflect=kind != _EXCLUDE)
                    if phrases:
                        matcher.add(f"{kind}|{actor.id}", [nlp.make_doc(p) for p in phrases])
            compiled = self._compiled[lang] = _Compiled(names, exclude)
        return compiled

    # -- finding names ----------------------------------------------------

    def _mentions(self, doc: Doc, compiled: _Compiled) -> list[Span]:
        excluded = [(s, e) for _, s, e in compiled.exclude(doc)]
        found: list[Span] = []
        for match_id, start, end in compiled.names(doc):
            kind, actor = doc.vocab.strings[match_id].split("|", 1)
            if any(s <= start and end <= e for s, e in excluded):
                continue
            found.append(Span(doc, start, end, label=f"{kind}|{actor}"))
        strong = {s.label_.split("|", 1)[1] for s in found if s.label_.startswith(_STRONG)}
        kept = [
            Span(doc, s.start, s.end, label=s.label_.split("|", 1)[1])
            for s in filter_spans(found)
            if s.label_.startswith(_STRONG) or s.label_.split("|", 1)[1] in strong
        ]
        return sorted(kept, key=lambda s: s.start)

    # -- evaluating watches -----------------------------------------------

    def _evaluate(
        self,
        watch: Watch,
        doc: Doc,
        spans: list[Span],
        lang: str,
        nlp: Language,
        article_id: str,
    ) -> Hit | None:
        w = watch.spec
        present = {s.label_ for s in spans}
        if present & set(w.none):
            return None
        wanted = set(w.all) | set(w.any)
        if sum(1 for s in spans if s.label_ in wanted) < w.min_mentions:
            return None
        terms = _phrases(w.terms, lang, inflect=True)
        term_spans = _find_terms(doc, nlp, terms) if terms else []
        evidence = []
        for unit in _units(doc, w.scope, spans):
            inside = [s for s in spans if unit.tok_start <= s.start and s.end <= unit.tok_end]
            actors = {s.label_ for s in inside}
            if not set(w.all) <= actors or (w.any and not actors & set(w.any)):
                continue
            unit_terms = [
                t for t in term_spans if unit.tok_start <= t.start and t.end <= unit.tok_end
            ]
            if terms and not unit_terms:
                continue
            evidence.append(
                Evidence(
                    text=doc.text[unit.start : unit.end],
                    start=unit.start,
                    end=unit.end,
                    actors=tuple(sorted(a for a in actors if a in wanted)),
                    mentions=tuple(
                        Mention(s.label_, s.text, s.start_char, s.end_char)
                        for s in inside
                        if s.label_ in wanted
                    ),
                    terms=tuple(t.text for t in unit_terms),
                )
            )
        if not evidence:
            return None
        return Hit(
            watch_id=w.id,
            article_id=article_id,
            evidence=tuple(evidence),
            severity=w.severity,
            title=w.title or w.id,
            channels=tuple(w.channels),
            rule_file=watch.file,
            rule_version=watch.version,
            condition=_describe(watch),
        )


def _phrases(table: dict[str, list[str]], lang: str, *, inflect: bool) -> list[str]:
    out: list[str] = []
    for key in (lang, ANY_LANG):
        for name in table.get(key, []):
            out.extend(forms(name, lang) if inflect else [name])
    return list(dict.fromkeys(out))


def _find_terms(doc: Doc, nlp: Language, terms: list[str]) -> list[Span]:
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    matcher.add("term", [nlp.make_doc(t) for t in terms])
    return [Span(doc, s, e) for _, s, e in matcher(doc)]


def _applies(watch: Watch, lang: str, source: str) -> bool:
    from fnmatch import fnmatch

    w = watch.spec
    if not w.enabled:
        return False
    if w.languages and lang not in w.languages:
        return False
    return not (w.sources and not any(fnmatch(source, pat) for pat in w.sources))


def _units(doc: Doc, scope: str | WithinScope, spans: list[Span]) -> Iterable[_Unit]:
    if isinstance(scope, WithinScope):
        yield from _windows(doc, scope.within, spans)
    elif scope == "article":
        yield _Unit(0, len(doc.text), 0, len(doc))
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


def _split_units(doc: Doc, bounds: list[tuple[int, int]]) -> Iterable[_Unit]:
    for s, e in bounds:
        span = doc.char_span(s, e, alignment_mode="expand")
        if span is not None:
            yield _Unit(s, e, span.start, span.end)


def _windows(doc: Doc, size: int, spans: list[Span]) -> Iterable[_Unit]:
    # One window per mention: from it, `size` tokens either way.
    for s in spans:
        lo, hi = max(0, s.start - size), min(len(doc), s.end + size)
        yield _Unit(doc[lo].idx, doc[hi - 1].idx + len(doc[hi - 1].text), lo, hi)


def _describe(watch: Watch) -> str:
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
    if w.terms:
        scope += " near a topic term"
    return " and ".join(parts) + " " + scope
