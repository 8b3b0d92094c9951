"""Language detection limited to the languages the rules use (lingua)."""

from __future__ import annotations

from typing import Any

# Below this many letters a detector guesses; better to say "unknown" and let
# the caller match with every language's names.
MIN_LETTERS = 40
MIN_CONFIDENCE = 0.5


class LanguageDetector:
    """Detects among a fixed set of ISO 639-1 codes; built lazily on first use."""

    def __init__(self, codes: list[str]) -> None:
        self.codes = codes
        self._detector: Any = None
        self._by_lingua: dict[Any, str] = {}

    def detect(self, text: str) -> str | None:
        """The language code of `text`, or None when too short or unsure."""
        if len(self.codes) == 0 or sum(ch.isalpha() for ch in text) < MIN_LETTERS:
            return None
        if len(self.codes) == 1:
            return self.codes[0]
        if self._detector is None:
            self._build()
        if self._detector is None:
            return None
        values = self._detector.compute_language_confidence_values(text)
        if not values or values[0].value < MIN_CONFIDENCE:
            return None
        return self._by_lingua.get(values[0].language)

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
            self._detector = LanguageDetectorBuilder.from_languages(*langs).build()
