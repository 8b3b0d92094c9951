"""spaCy pipelines per language, built once from `spacy.blank` (no trained model)."""

from __future__ import annotations

from typing import Any

import spacy
from spacy.language import Language

# Languages whose spaCy tokenizer needs a third-party segmenter (mecab, sudachi)
# get spaCy's rule-based tokenizer instead; names there are matched per character.
_RULE_TOKENIZER = {"nlp": {"tokenizer": {"@tokenizers": "spacy.Tokenizer.v1"}}}
_CUSTOM_CONFIG: dict[str, dict[str, Any]] = {"ko": _RULE_TOKENIZER, "ja": _RULE_TOKENIZER}


class Pipelines:
    """A cache of one blank spaCy pipeline (tokenizer + sentencizer) per language."""

    def __init__(self) -> None:
        self._nlps: dict[str, Language] = {}

    def get(self, lang: str) -> Language:
        """The pipeline for `lang`; the multi-language one for unknown codes."""
        nlp = self._nlps.get(lang)
        if nlp is None:
            nlp = self._nlps[lang] = build_pipeline(lang)
        return nlp


def build_pipeline(lang: str) -> Language:
    """A blank pipeline for `lang` with sentence boundaries."""
    try:
        nlp = spacy.blank(lang, config=_CUSTOM_CONFIG.get(lang, {}))
    except (ImportError, KeyError, ValueError, OSError):
        nlp = spacy.blank("xx")
    nlp.add_pipe("sentencizer")
    return nlp
