"""Language detection limited to a few languages (lingua, low-accuracy mode).

The full actor library names ~200 languages; a detector for all of them
would cost over a gigabyte. Only the languages matching is tuned for (or a
list from the config or command line) are loaded, in lingua's low-accuracy
mode, which is plenty for whole articles. Short or unclear texts get None:
the engine then tries the names of every supported language instead of
guessing a language that may have no rules.
"""

from __future__ import annotations

from typing import Any

# The languages whose inflection matching is built and tested for.
SUPPORTED = ("ar", "de", "en", "es", "fr", "it", "ja", "ko", "pl", "pt", "ru", "tr", "uk", "zh")

# Below this many letters a detector guesses; better to say "unknown".
MIN_LETTERS = 40
MIN_CONFIDENCE = 0.5
# Low-accuracy mode is sometimes confidently wrong on one sentence (Spanish
# as Italian, 0.98); below this the engine lets the names decide.
SURE = 0.99
# Scripts that name their language outright (no detector needed).
_SCRIPT_LANGS: tuple[tuple[str, str, str], ...] = (
    ("ko", "\uac00", "\ud7a3"),  # hangul syllables
    ("ja", "\u3040", "\u30ff"),  # hiragana and katakana
)


class LanguageDetector:
    """Detects among a fixed set of ISO 639-1 codes; built lazily on first use."""

    def __init__(self, codes: list[str]) -> None:
        self.codes = codes
        self._detector: Any = None
        self._by_lingua: dict[Any, str] = {}

    def detect(self, text: str) -> str | None:
        """The language code of `text`, or None when too short or unsure."""
        if sum(ch.isalpha() for ch in text) < MIN_LETTERS:
            return None
        ranked = self.confidences(text)
        if not ranked or ranked[0][1] < MIN_CONFIDENCE:
            return None
        return ranked[0][0]

    def confidences(self, text: str) -> list[tuple[str, float]]:
        """Every detection language with its confidence for `text`, most likely first."""
        letters = sum(ch.isalpha() for ch in text)
        if not self.codes or not letters:
            return []
        for code, lo, hi in _SCRIPT_LANGS:
            if code in self.codes and sum(1 for c in text if lo <= c <= hi) * 4 >= letters:
                return [(code, 1.0)]
        if len(self.codes) == 1:
            return [(self.codes[0], 1.0)]
        if self._detector is None:
            self._build()
        if self._detector is None:
            return []
        values = self._detector.compute_language_confidence_values(text)
        return [
            (self._by_lingua[v.language], v.value) for v in values if v.language in self._by_lingua
        ]

    def _build(self) -> None:
        from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

        langs = []
        for code in self.codes:
            try:
                lang = Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper()))
            except (AttributeError, ValueError):
                continue
            langs.append(lang)
            self._by_lingua[lang] = code
        if len(langs) >= 2:
            self._detector = (
                LanguageDetectorBuilder.from_languages(*langs).with_low_accuracy_mode().build()
            )
