"""spaCy pipelines per language, built once from spaCy's blank classes (no trained model).

Every language gets spaCy's rule-based tokenizer with the changes in
`rule_tokenizer` (ko, ja, zh, th and vi too: their own tokenizers need
mecab, sudachi, jieba, pythainlp, pyvi).

Japanese and Chinese are written without spaces and spaCy's own tokenizers
for them need third-party segmenters (sudachi, jieba). Names there are matched
per character instead: `CharTokenizer` makes every CJK character, kana and
hangul syllable a token of its own, and keeps Latin words and numbers whole.
Thai is written without spaces too, and spacy.blank("th") needs pythainlp
(a large dependency the project does not take on): Thai is matched per
character the same way. Korean keeps spaCy's rule-based tokenizer (spaces
and punctuation; mecab is not needed) and matches name + particle forms.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.strings import get_string_id
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import (
    compile_infix_regex,
    compile_prefix_regex,
    compile_suffix_regex,
    get_lang_class,
)
from spacy.vocab import Vocab, create_vocab

from rules.words import CHAR_LANGS, COMPOUND_INFIXES, is_char

# Whitespace-separated chunks whose tokenization spaCy remembers (default 10,000;
# a news stream's vocabulary is larger).
TOKENIZER_CACHE = 100_000
# ORTH ids of abbreviations (without their final period) per language.
ABBREVIATIONS: dict[str, frozenset[int]] = {}
_SCRIPT_PUNCT = "[\u0589\u055c\u055d\u055e\u0964\u0965\u06d4\u061f\u060c]"
_HYPHEN_INFIX = r"(?<=[^\W\d_])[-\u2010\u2011](?=[^\W\d_])"


class CharTokenizer:
    """Splits CJK text into one token per character; other runs into words."""

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        words: list[str] = []
        spaces: list[bool] = []
        i, n = 0, len(text)
        while i < n:
            ch = text[i]
            if ch == " " and words and not spaces[-1]:
                spaces[-1] = True
                i += 1
                continue
            j = i + 1
            if ch.isspace():
                while j < n and text[j].isspace():
                    j += 1
            elif ch.isalnum() and not is_char(ch):
                while j < n and text[j].isalnum() and not is_char(text[j]):
                    j += 1
            words.append(text[i:j])
            spaces.append(False)
            i = j
        return Doc(self.vocab, words=words, spaces=spaces)

    def pipe(self, texts: Any, batch_size: int = 1000) -> Any:
        for text in texts:
            yield self(text)


class Pipelines:
    """A cache of one blank spaCy pipeline (its tokenizer) per language."""

    def __init__(self) -> None:
        self._nlps: dict[str, Language] = {}

    def get(self, lang: str) -> Language:
        """The pipeline for `lang`; the multi-language one for unknown codes."""
        nlp = self._nlps.get(lang)
        if nlp is None:
            nlp = self._nlps[lang] = build_pipeline(lang)
        return nlp


def build_pipeline(lang: str) -> Language:
    """A blank pipeline for `lang`: its tokenizer only (sentences are split in rules.evaluate)."""
    try:
        nlp = _lang_class(lang)(create_tokenizer=rule_tokenizer())
    except (ImportError, KeyError, ValueError, OSError):
        nlp = _lang_class("xx")(create_tokenizer=rule_tokenizer())
    if lang in CHAR_LANGS:
        nlp.tokenizer = CharTokenizer(nlp.vocab)
    else:
        tokenizer: Any = nlp.tokenizer
        tokenizer.max_cache_size = TOKENIZER_CACHE
        # spaCy stops caching a text's chunks after its first special case ("z.B.",
        # "Dr."), which made tokenizing a real article 5x slower: the tokenizer has
        # none (rule_tokenizer), and abbreviations are kept for sentence splitting.
        ABBREVIATIONS[lang] = frozenset(
            get_string_id(k[:-1].lower())
            for k in nlp.Defaults.tokenizer_exceptions or {}
            if len(k) > 1 and k.endswith(".")
        )
    return nlp


def _lang_class(lang: str) -> type[Language]:
    """spaCy's Language class for `lang`, as `spacy.blank` finds it.

    Imported directly: spaCy looks a name up in its registry first, and the
    registry scans every installed package's entry points on each look-up
    (0.2 s of a `match` over 12 languages). Codes spaCy has no module for
    ("no") still go through spaCy's own language matching.
    """
    if lang == "fr":
        return french_class()
    if lang.isascii() and lang.isalpha() and lang.islower():
        try:
            module = importlib.import_module(f"spacy.lang.{lang}")
        except ImportError:
            pass
        else:
            return getattr(module, module.__all__[0])  # type: ignore[no-any-return]
    return get_lang_class(lang)


# spaCy's French abbreviations (spacy.lang.fr.tokenizer_exceptions), which end a
# sentence no more than they do there; tests/rules/test_nlp.py keeps them the same.
FRENCH_ABBREVIATIONS = [
    "J.-C.",
    "av.",
    "janv.",
    "févr.",
    "avr.",
    "juill.",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
    "apr.",
    "Dr.",
    "M.",
    "Mr.",
    "Mme.",
    "Mlle.",
    "St.",
    "Ste.",
    "cf.",
    "etc.",
    "MM.",
    "No.",
    "pp.",
    "Vol.",
]


@lru_cache(maxsize=1)
def french_class() -> type[Language]:
    """spaCy's French, from its own punctuation, numbers and stop words, without
    its tokenizer exceptions module.

    Importing spacy.lang.fr compiles the exceptions' TOKEN_MATCH, one regex of
    ~300 alternatives over every lower-case letter: 2.5 s of CPU in each process
    that meets a French text. The rule tokenizer uses no special cases; without
    TOKEN_MATCH, hyphenated words (États-Unis, saut-de-ski) split at their
    hyphens as in every other language, names as the texts. The modules are
    read from spaCy's French folder without running its __init__.
    """
    from spacy.attrs import ORTH
    from spacy.lang.tokenizer_exceptions import BASE_EXCEPTIONS
    from spacy.language import BaseDefaults
    from spacy.util import update_exc

    folder = Path(importlib.import_module("spacy.lang").__file__ or "").parent / "fr"

    def load(name: str) -> Any:
        # Named as in spaCy (its relative imports are of spacy.lang.*), not registered.
        spec = importlib.util.spec_from_file_location(
            f"spacy.lang.fr.{name}", folder / f"{name}.py"
        )
        assert spec is not None and spec.loader is not None, name
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    punctuation, lex_attrs, stops = load("punctuation"), load("lex_attrs"), load("stop_words")

    class FrenchDefaults(BaseDefaults):
        tokenizer_exceptions = update_exc(
            BASE_EXCEPTIONS, {a: [{ORTH: a}] for a in FRENCH_ABBREVIATIONS}
        )
        prefixes = punctuation.TOKENIZER_PREFIXES
        infixes = punctuation.TOKENIZER_INFIXES
        suffixes = punctuation.TOKENIZER_SUFFIXES
        lex_attr_getters = lex_attrs.LEX_ATTRS
        stop_words = stops.STOP_WORDS

    class French(Language):  # type: ignore[no-untyped-call]
        lang = "fr"
        Defaults = FrenchDefaults

    return French


def scratch_tokenizer(nlp: Language) -> Callable[[str], Doc]:
    """`nlp`'s tokenizer over a vocabulary of its own, for words that must not enter `nlp`'s.

    Made from the pipeline's compiled rules, not from a second pipeline: a
    pipeline costs 15-120 ms to build (its regexes), a `match` over a stream
    in 12 languages spent 0.7 s building the second ones.
    """
    vocab = create_vocab(nlp.lang, nlp.Defaults)
    tok: Any = nlp.tokenizer
    if isinstance(tok, CharTokenizer):
        return CharTokenizer(vocab)
    return Tokenizer(  # type: ignore[no-any-return]
        vocab,
        rules={},
        prefix_search=tok.prefix_search,
        suffix_search=tok.suffix_search,
        infix_finditer=tok.infix_finditer,
        token_match=tok.token_match,
        url_match=tok.url_match,
    )


def rule_tokenizer() -> Callable[[Language], Tokenizer]:
    """spaCy's rule-based tokenizer (spacy.Tokenizer.v1) without special cases.

    Built without them rather than cleared after: spaCy tokenizes every special
    case when the tokenizer is made and again at each change of its rules, ~0.2 s
    a pipeline; a `match` over a stream in 12 languages spent 9 s there.
    """

    def make(nlp: Language) -> Tokenizer:
        d = nlp.Defaults
        # Split hyphenated compounds in every language, as English does, so
        # that Putin-Regierung and Russland-Ukraine-Krieg name their actors.
        infixes = [*(d.infixes or ()), _HYPHEN_INFIX, *COMPOUND_INFIXES.get(nlp.lang or "", ())]
        # Sentence marks of other scripts (Armenian ։, Urdu ۔, Devanagari ।) end a
        # word as a period does, whatever the pipeline's own punctuation rules.
        suffixes = [*(d.suffixes or ()), _SCRIPT_PUNCT]
        return Tokenizer(
            nlp.vocab,
            rules={},
            prefix_search=compile_prefix_regex(d.prefixes).search if d.prefixes else None,
            suffix_search=compile_suffix_regex(suffixes).search,
            infix_finditer=compile_infix_regex(infixes).finditer,
            token_match=d.token_match,
            url_match=d.url_match,
        )

    return make
