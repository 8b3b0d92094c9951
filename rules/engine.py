"""Match texts against a RuleSet (pure); matchers are compiled once per language.

One article goes through these steps, each paid only by the texts that
passed the one before:

1. presearch (rules.presearch): one Aho-Corasick pass over the folded text
   with every language's names of the watched actors, at word boundaries;
   most articles stop here, without detection and without spaCy;
2. language (rules.lang): the declared one if its script fits the text,
   else the script and lingua choose among the languages whose names the
   presearch found; when lingua is unsure, the names of the few likeliest
   languages are counted (rules.words, without spaCy) and the most names win;
3. spaCy (imported on the first candidate): the language's PhraseMatchers
   find names (whole tokens, inflected), drop those inside an exclusion of
   the same actor, keep weak names only next to a strong name of the same
   actor, and the candidate watches are evaluated.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rules.cuebook import CueBook
from rules.inflect import fold
from rules.lang import (
    SAMPLE_CHARS,
    SURE,
    LanguageDetector,
    listed_languages,
    scripts,
    shortlist,
    stop_scores,
)
from rules.load import RuleSet, Watch, watch_actors
from rules.model import MatchResult, Mention
from rules.paragraphs import paragraph_bounds
from rules.presearch import ANY_LANG, WordPresearch, common_word, word_presearch
from rules.spec import SentencesScope, WithinScope
from rules.words import CountTables, NameCount

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

    from rules.lexicon import Compiled, Lexicon, Presearch
    from rules.nlp import Pipelines

UNKNOWN_LANG = "und"
# Languages whose names are counted when detection is unsure (the most names wins).
LIKELY_LANGS = 3
_HAN_ONLY = frozenset({"ja", "zh"})


class Engine:
    """Matches texts against a RuleSet; matchers are compiled lazily, once per language."""

    def __init__(
        self,
        rules: RuleSet,
        pipelines: Pipelines | None = None,
        *,
        languages: Sequence[str] | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        self.rules = rules
        # Where the presearch's keys and the compiled lexicons are kept between runs.
        self.cache_dir = cache_dir
        self._pipelines = pipelines
        # Detection considers every language with names, or only these.
        self.languages = frozenset(languages) if languages else None
        self._lexicons: dict[str, Lexicon] = {}
        self._names: dict[str, Presearch] = {}  # each language's names' presearch
        self._compiled: dict[str, Compiled] = {}  # compiled, not yet built (no cache folder)
        self._counters: dict[str, NameCount] = {}  # each language's names, counted
        self._tables: dict[str, CountTables] = {}  # made with a lexicon, not yet counted
        self._detector = LanguageDetector()
        self.cues = CueBook(rules.cues)
        self._pairs = [frozenset(w.spec.pair) for w in rules.watches if w.spec.pair]
        self._watched = frozenset(a for w in rules.watches for a in watch_actors(w))
        self._presearch: dict[bool, WordPresearch] = {}
        # Watches by the actors that can make them fire: only those are evaluated.
        self._by_actor: dict[str, list[int]] = defaultdict(list)
        for i, w in enumerate(rules.watches):
            for actor in watch_actors(w, positive=True):
                self._by_actor[actor].append(i)

    @property
    def pipelines(self) -> Pipelines:
        """The spaCy pipelines (spaCy is imported on first use)."""
        if self._pipelines is None:
            from rules.nlp import Pipelines

            self._pipelines = Pipelines()
        return self._pipelines

    def presearch(self, *, all_actors: bool = False) -> WordPresearch:
        """The presearch over every language's names of the watched (or all) actors."""
        ps = self._presearch.get(all_actors)
        if ps is None:
            actors = self.rules.actors if all_actors else self._watched
            ps = self._presearch[all_actors] = word_presearch(
                self.rules, sorted(actors), self.cache_dir
            )
        return ps

    def lexicon(self, lang: str) -> Lexicon:
        """The compiled matchers for `lang` (built on first use)."""
        lex = self._lexicons.get(lang)
        if lex is None:
            from rules.lexicon import build_lexicon

            nlp = self.pipelines.get(lang)
            compiled = self._compiled.pop(lang, None) or self._compile(lang)
            lex = build_lexicon(nlp, compiled, self._names.get(lang))
            self._lexicons[lang] = lex
            self._names[lang] = lex.presearch
        return lex

    def names_presearch(self, lang: str) -> Presearch:
        """The presearch of `lang`'s names (and look-alikes): all that choosing a
        language needs, read from the cache folder without spaCy when it can be."""
        search = self._names.get(lang)
        if search is None:
            from rules.lexicon import names_presearch

            compiled = self._compile(lang)
            if self.cache_dir is None:  # compiled again otherwise
                self._compiled[lang] = compiled
            search = self._names[lang] = names_presearch(compiled)
        return search

    def _compile(self, lang: str) -> Compiled:
        from rules.lexicon import compile_all

        compiled, tables = compile_all(
            self.rules, lang, lambda: self.pipelines.get(lang), self.cache_dir
        )
        if tables is not None and self.cache_dir is None:  # else read from there
            self._tables[lang] = tables
        return compiled

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
        Texts naming no such actor report the declared language (or "und").
        """
        folded = fold(text)
        declared = (lang or "").split("-")[0].split("_")[0].lower()
        by_lang = self.presearch(all_actors=all_actors).scan(folded)
        if not by_lang:
            return MatchResult(declared or UNKNOWN_LANG)
        known = self.presearch(all_actors=all_actors).scripts
        code, found = self._language(text, folded, declared, by_lang, known)
        wanted = set(found) if all_actors else set(found) & self._watched
        # The language is chosen among those whose names the presearch saw; when
        # none is there after all ("Kim Ahlberg" in an English text is no Czech
        # "Kim Čong-un"), the text's language is not known, rather than that guess.
        unknown = MatchResult(declared or UNKNOWN_LANG)
        if not wanted:
            return MatchResult(code) if found or code == declared else unknown
        result = self._match_names(text, folded, code, found, wanted, article_id, source)
        return unknown if not result.mentions and code != declared else result

    def _match_names(
        self,
        text: str,
        folded: str,
        code: str,
        found: dict[str, int],
        wanted: set[str],
        article_id: str,
        source: str,
    ) -> MatchResult:
        from spacy.tokens import Span

        from rules.evaluate import Segments, evaluate

        lex = self.lexicon(code)
        doc = lex.doc(focus(folded, lex.presearch.places(folded), self._reach(code, source, found)))
        # A pair watch that can fire sees every actor named (a list of names reads as a list).
        pairs = any(p <= found.keys() for p in self._pairs)
        context = mentions(doc, lex, set(found) | wanted, text) if pairs else None
        spans = (
            mentions(doc, lex, wanted, text)
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
        segments = Segments(doc, folded, code) if watches else None
        hits = tuple(
            hit
            for w in watches
            if segments is not None
            for hit in [
                evaluate(
                    w,
                    text,
                    segments,
                    spans,
                    terms,
                    article_id,
                    cues=self.cues,
                    context=context,
                )
            ]
            if hit is not None
        )
        return MatchResult(code, {k: tuple(v) for k, v in sorted(found_mentions.items())}, hits)

    def language(self, text: str, declared: str | None = None) -> str:
        """The language `text` would be matched in (its names decide among candidates)."""
        folded = fold(text)
        search = self.presearch(all_actors=True)
        return self._language(text, folded, declared or "", search.scan(folded), search.scripts)[0]

    def _reach(self, lang: str, source: str, found: Iterable[str]) -> int | None:
        """How many paragraphs either side of a name the watches that may fire look at.

        None when one of them needs the whole text (topic terms anywhere in the
        article, or windows of N tokens, which run across paragraphs).
        """
        reach = 0
        for w in self._candidates(lang, source, set(found)):
            scope = w.spec.scope
            if isinstance(scope, WithinScope) or (scope == "article" and w.spec.terms):
                return None
            if isinstance(scope, SentencesScope):
                reach = max(reach, scope.sentences - 1)
        return reach

    def _candidates(self, lang: str, source: str, present: set[str]) -> Iterable[Watch]:
        indices = sorted({i for a in present for i in self._by_actor.get(a, ())})
        for i in indices:
            w = self.rules.watches[i]
            if _applies(w, lang, source):
                yield w

    def _language(
        self,
        text: str,
        folded: str,
        declared: str,
        by_lang: dict[str, dict[str, int]],
        known: dict[str, frozenset[str]],
    ) -> tuple[str, dict[str, int]]:
        """The language to match in and the actors its own presearch finds there.

        `known`: the scripts each language's names are written in.
        """
        seen = scripts(text)

        def fits(code: str) -> bool:
            # Korean writes Hanja too (北·露, 朝鮮中央通信): a text with Hangul is no
            # Japanese or Chinese one, whatever Chinese characters it holds; and one
            # with kana is no Chinese one (朝鮮通信使 in Japanese names nobody).
            if code in _HAN_ONLY and "HANGUL" in seen:
                return False
            if code == "zh" and "KANA" in seen:
                return False
            written = known.get(code)
            return not seen or written is None or bool(written & seen)

        if declared and fits(declared):
            return declared, self._found(declared, folded)
        langs = {c for c in by_lang if c != ANY_LANG and fits(c)}
        if ANY_LANG in by_lang or not langs:
            langs |= {c for c, written in known.items() if c != ANY_LANG and written & seen}
        if self.languages is not None:
            langs &= self.languages
        if langs and seen:
            langs = self._own_words(text, langs, seen, known)
        if not langs:
            code = declared or UNKNOWN_LANG
            return code, self._found(code, folded) if declared else {}
        ranked = self._detector.rank(text, langs)
        names = {c: sum(by_lang.get(c, {}).values()) for c, _ in ranked}
        top = ranked[0][0]
        if len(ranked) == 1 or (
            ranked[0][1] >= SURE and max(names.values()) < max(2 * names[top], names[top] + 2)
        ):
            return top, self._found(top, folded)
        # Languages lingua cannot tell apart (or does not know), or lingua sure of
        # one whose names the text has half as many of as another's, and two
        # fewer at least (a short Ukrainian text read as Kazakh): the few
        # likeliest are counted (rules.words), and the one whose names account for
        # the most words of the text wins, in its names and in its look-alikes:
        # Danish "russisk roulette" explains two words where Norwegian "russisk"
        # explains one (longest first, as names are chosen).
        likely = sorted(ranked, key=lambda p: (-p[1], -names[p[0]], p[0]))[:LIKELY_LANGS]
        most = max(ranked, key=lambda p: (names[p[0]], p[1]))  # the names' own choice
        found = {c: self._found(c, folded) for c, _ in {*likely, most}}
        confidence = dict(ranked)
        best = max(found, key=lambda c: (self._count(c, folded, found[c]), confidence[c], c))
        return best, found[best]

    def _own_words(
        self, text: str, langs: set[str], seen: frozenset[str], known: dict[str, frozenset[str]]
    ) -> set[str]:
        """`langs`, unless the text is in another language, where its words name nobody.

        A name of one language can be a word of the text's own: "Moscow" in a
        German report on Moscow, Idaho, is an English name only, and Swiss "Russ"
        (soot) is Dutch "Rus". The text's stop words shortlist the languages of
        its script: when none of `langs` is among them, the text is in one of
        those; when one is, but another has more of its function words, the text
        is in that other one if lingua is sure of it too.
        """
        listed = listed_languages()
        # Without a list of function words for any of them, the text may still be in
        # a listed language, when lingua knows none of them either (Quechua's
        # "Reunión" in a Spanish "La reunión del consejo"); Belarusian or Kazakh
        # (lingua's, without lists) are left to lingua.
        if not langs & listed and any(c in self._detector.known() for c in langs):
            return langs
        pool = frozenset(c for c, written in known.items() if c in listed and written & seen)
        if self.languages is not None:
            pool &= self.languages
        sample = text[:SAMPLE_CHARS]
        picked = shortlist(sample, pool)
        if picked is None:
            # Short function words shared by many languages (de, en, la, con) leave
            # too many: the likeliest few by two thirds, where the names' languages
            # have not half the likeliest's ("El pueblo de Russia, en el estado de
            # Ohio" names nobody in Spanish; Russia is Italian and English).
            picked = shortlist(sample, pool, share=2 / 3)
            score = stop_scores(sample, pool | langs)
            if picked and 2 * max(score[c] for c in langs) >= score[picked[0]]:
                picked = None
        if not picked or picked[0] in langs:
            return langs
        if not langs & set(picked):
            return set(picked)
        # Both must say so: lingua's low-accuracy mode can be sure of Spanish for a
        # Portuguese sentence whose function words say Catalan first.
        top, confidence = self._detector.rank(text, langs | set(picked))[0]
        return {top} if top == picked[0] and confidence >= SURE else langs

    def _found(self, code: str, folded: str) -> dict[str, int]:
        return self.names_presearch(code).scan(folded).get(code, {})

    def _count(self, lang: str, folded: str, actors: dict[str, int]) -> int:
        """Words in names of `actors` found in `lang` and in the look-alikes of `lang`
        (without spaCy: rules.words)."""
        if not actors:
            return 0
        counter = self._counters.get(lang)
        if counter is None:
            from rules.lexicon import count_tables

            tables = self._tables.pop(lang, None) or count_tables(
                self.rules, lang, lambda: self.pipelines.get(lang), self.cache_dir
            )
            counter = self._counters[lang] = NameCount(tables)
        return counter.count(folded, actors, self.names_presearch(lang).places(folded))


def focus(folded: str, places: list[int], reach: int | None) -> str:
    """`folded` with the paragraphs more than `reach` away from every place blanked.

    Spaces of the same length replace them, so offsets hold and spaCy
    tokenizes only the paragraphs around the names (a feed text names its
    actors in a few of its paragraphs). A sentence never crosses a paragraph,
    so a sentence or paragraph scope sees what it would see in the whole
    text; a scope of N sentences needs N - 1 paragraphs either side.
    """
    if reach is None or not places:
        return folded
    paras = paragraph_bounds(folded)
    starts = [s for s, _ in paras]
    keep: set[int] = set()
    for at in places:
        p = bisect_right(starts, at) - 1
        keep.update(range(p - reach, p + reach + 1))
    if all(i in keep for i in range(len(paras))):
        return folded
    out, pos = [], 0
    for i, (s, e) in enumerate(paras):
        if i not in keep:
            out += [folded[pos:s], " " * (e - s)]
            pos = e
    out.append(folded[pos:])
    return "".join(out)


def mentions(doc: Doc, lex: Lexicon, actors: set[str], text: str = "") -> list[Span]:
    """Names of `actors` in `doc`, exclusions and weak-name rules applied, in order.

    `text`: the original of the folded `doc`, whose case tells a weak name written
    in lower case in the rules ("russo") from the capitalized surname ("Russo").
    """
    from spacy.tokens import Span
    from spacy.util import filter_spans

    from rules.lexicon import CASED, STRONG, WEAK

    strings = doc.vocab.strings
    excluded: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for match_id, start, end in lex.exclude(doc):
        excluded[strings[match_id].split("|", 1)[1]].append((start, end))
    found: list[Span] = []
    for match_id, start, end in lex.names(doc):
        label = strings[match_id]
        actor = label.split("|", 1)[1]
        # Every actor's strong names take part in longest-first, wanted or not: the
        # "Россия" in "Белая Россия" is Belarus's even when only Russia is watched.
        if actor not in actors and label[0] != STRONG:
            continue
        if any(s <= start and end <= e for s, e in excluded.get(actor, ())):
            continue
        if label[0] == CASED:
            span = doc[start:end]
            # Capitalized, it may be a surname or a sentence's first word: weak either way.
            common = bool(text) and common_word(text[span.start_char : span.end_char])
            label = f"{STRONG if common else WEAK}|{actor}"
        found.append(Span(doc, start, end, label=label))
    # Longest first: "Republic of Korea" (KOR) wins over a "Korea" inside it.
    kept = [s for s in shared_names(found, filter_spans(found)) if s.label_[2:] in actors]
    strong = {s.label_[2:] for s in kept if s.label_[0] == STRONG}
    return [
        Span(doc, s.start, s.end, label=s.label_[2:])
        for s in sorted(kept, key=lambda s: (s.start, s.end, s.label_))
        if s.label_[0] == STRONG or s.label_[2:] in strong
    ]


def shared_names(found: list[Span], kept: list[Span]) -> list[Span]:
    """Every actor's span at each kept extent: a two-actor compound (북러, 中俄,
    米韓) is one name of both actors and counts for both."""
    extents = {(s.start, s.end) for s in kept}
    seen: set[tuple[int, int, str]] = set()
    out = []
    for s in found:
        key = (s.start, s.end, s.label_)
        if (s.start, s.end) in extents and key not in seen:
            seen.add(key)
            out.append(s)
    return out


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
