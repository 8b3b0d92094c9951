"""Match texts against a RuleSet (pure); matchers are compiled once per language.

One article goes through three steps:

1. language: the declared one, else lingua among the supported languages,
   else (short or unclear text) the language whose names the presearch finds;
2. presearch: Aho-Corasick over the folded text picks the actors that can
   match at all; if no watch can fire, the article never reaches spaCy;
3. spaCy: the PhraseMatchers find names (whole tokens, inflected), drop those
   inside an exclusion of the same actor, keep weak names only next to a
   strong name of the same actor, and the candidate watches are evaluated.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from rules.cuebook import CueBook
from rules.evaluate import Segments, evaluate, watch_actors
from rules.inflect import fold
from rules.lang import MIN_CONFIDENCE, MIN_LETTERS, SUPPORTED, SURE, LanguageDetector
from rules.lexicon import STRONG, Lexicon, Presearch, compile_lexicon, light_presearch
from rules.load import RuleSet, Watch
from rules.model import MatchResult, Mention
from rules.nlp import Pipelines

UNKNOWN_LANG = "und"


class Engine:
    """Matches texts against a RuleSet; matchers are compiled lazily, once per language."""

    def __init__(
        self,
        rules: RuleSet,
        pipelines: Pipelines | None = None,
        *,
        languages: Sequence[str] | None = None,
    ) -> None:
        self.rules = rules
        self.pipelines = pipelines or Pipelines()
        langs = set(rules.languages())
        # Detection and the "unsure" fallback only consider languages that have rules.
        self.languages = sorted(set(languages or SUPPORTED) & langs) or sorted(langs)[:1]
        self._lexicons: dict[str, Lexicon] = {}
        self._fallback: Presearch | None = None
        self._detector = LanguageDetector(self.languages)
        self.cues = CueBook(rules.cues)
        self._pairs = [frozenset(w.spec.pair) for w in rules.watches if w.spec.pair]
        self._watched = frozenset(a for w in rules.watches for a in watch_actors(w))
        # Watches by the actors that can make them fire: only those are evaluated.
        self._by_actor: dict[str, list[int]] = defaultdict(list)
        for i, w in enumerate(rules.watches):
            for actor in watch_actors(w, positive=True):
                self._by_actor[actor].append(i)

    def detect(self, text: str) -> str | None:
        """The language of `text` among the detection languages, or None if unsure."""
        return self._detector.detect(text)

    def lexicon(self, lang: str) -> Lexicon:
        """The compiled matchers for `lang` (built on first use)."""
        lex = self._lexicons.get(lang)
        if lex is None:
            lex = self._lexicons[lang] = compile_lexicon(self.rules, lang, self.pipelines.get(lang))
        return lex

    def match(
        self,
        text: str,
        *,
        lang: str | None = None,
        article_id: str = "",
        source: str = "",
        all_actors: bool = False,
    ) -> MatchResult:
        """Find actor mentions and the watches that fire in `text`.

        With `all_actors` every actor of the rules is reported; otherwise only
        the actors that some watch refers to are looked for (the daemon's case).
        """
        folded = fold(text)
        code = (lang or "").split("-")[0].split("_")[0].lower()
        if code:
            found = self.lexicon(code).presearch.scan(folded).get(code, {})
        else:
            code, found = self._guess(text, folded)
        wanted = set(found) if all_actors else set(found) & self._watched
        if not wanted:
            return MatchResult(code)
        lex = self.lexicon(code)
        doc = lex.doc(folded)
        # A pair watch that can fire sees every actor named (a list of names reads as a list).
        pairs = any(p <= found.keys() for p in self._pairs)
        context = mentions(doc, lex, set(found) | wanted) if pairs else None
        spans = (
            mentions(doc, lex, wanted)
            if context is None
            else [s for s in context if s.label_ in wanted]
        )
        found_mentions: dict[str, list[Mention]] = defaultdict(list)
        for span in spans:
            found_mentions[span.label_].append(_mention(text, span))
        watches = list(self._candidates(code, source, {s.label_ for s in spans}))
        terms = (
            [Span(doc, s, e, label=m) for m, s, e in lex.terms(doc)]
            if lex.has_terms and any(w.spec.terms for w in watches)
            else []
        )
        segments = Segments(doc, folded) if watches else None
        hits = tuple(
            hit
            for w in watches
            if segments is not None
            for hit in [
                evaluate(
                    w, text, segments, spans, terms, article_id, cues=self.cues, context=context
                )
            ]
            if hit is not None
        )
        return MatchResult(code, {k: tuple(v) for k, v in sorted(found_mentions.items())}, hits)

    def _candidates(self, lang: str, source: str, present: set[str]) -> Iterable[Watch]:
        indices = sorted({i for a in present for i in self._by_actor.get(a, ())})
        for i in indices:
            w = self.rules.watches[i]
            if _applies(w, lang, source):
                yield w

    def _guess(self, text: str, folded: str) -> tuple[str, dict[str, int]]:
        """No declared language: lingua when it is sure, else the names decide.

        A text lingua is not sure of (short, mixed, or low-accuracy noise) goes
        to the detection language whose names occur most in it, ties broken by
        lingua's confidence; never to a language without rules.
        """
        ranked = self._detector.confidences(text)
        if ranked and ranked[0][1] >= SURE:
            code = ranked[0][0]
            return code, self.lexicon(code).presearch.scan(folded).get(code, {})
        if self._fallback is None:
            self._fallback = light_presearch(self.rules, self.languages)
        by_lang = self._fallback.scan(folded)
        confidence = dict(ranked)
        if not by_lang:
            sure = ranked and ranked[0][1] >= MIN_CONFIDENCE and len(text) >= MIN_LETTERS
            return (ranked[0][0] if sure else UNKNOWN_LANG), {}
        # Presearch keys are stems ("rus" is in Portuguese "russas" too): the
        # few likeliest languages are matched for real and the most names win.
        likely = sorted(
            by_lang, key=lambda c: (-sum(by_lang[c].values()), -confidence.get(c, 0.0), c)
        )[:3]
        found = {c: self.lexicon(c).presearch.scan(folded).get(c, {}) for c in likely}
        best = max(likely, key=lambda c: (self._count(c, folded, found[c]), confidence.get(c, 0.0)))
        return best, found[best]

    def _count(self, lang: str, folded: str, actors: dict[str, int]) -> int:
        if not actors:
            return 0
        lex = self.lexicon(lang)
        return len(mentions(lex.doc(folded), lex, set(actors)))


def mentions(doc: Doc, lex: Lexicon, actors: set[str]) -> list[Span]:
    """Names of `actors` in `doc`, exclusions and weak-name rules applied, in order."""
    strings = doc.vocab.strings
    excluded: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for match_id, start, end in lex.exclude(doc):
        excluded[strings[match_id].split("|", 1)[1]].append((start, end))
    found: list[Span] = []
    for match_id, start, end in lex.names(doc):
        label = strings[match_id]
        actor = label.split("|", 1)[1]
        if actor not in actors:
            continue
        if any(s <= start and end <= e for s, e in excluded.get(actor, ())):
            continue
        found.append(Span(doc, start, end, label=label))
    # Longest first: "Republic of Korea" (KOR) wins over a "Korea" inside it.
    kept = filter_spans(found)
    strong = {s.label_[2:] for s in kept if s.label_[0] == STRONG}
    return [
        Span(doc, s.start, s.end, label=s.label_[2:])
        for s in sorted(kept, key=lambda s: s.start)
        if s.label_[0] == STRONG or s.label_[2:] in strong
    ]


def _mention(text: str, span: Span) -> Mention:
    # The doc holds the folded text; report the original spelling.
    return Mention(
        span.label_, text[span.start_char : span.end_char], span.start_char, span.end_char
    )


def _applies(watch: Watch, lang: str, source: str) -> bool:
    from fnmatch import fnmatch

    w = watch.spec
    if not w.enabled:
        return False
    if w.languages and lang not in w.languages:
        return False
    return not (w.sources and not any(fnmatch(source, pat) for pat in w.sources))
