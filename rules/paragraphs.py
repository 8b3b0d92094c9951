"""Paragraphs of a text: its lines that hold more than whitespace (pure)."""

from __future__ import annotations

import re
from functools import lru_cache

# A line's first to last non-space character.
_PARAGRAPH = re.compile(r"[^\S\n]*(\S(?:[^\n]*\S)?)")


@lru_cache(maxsize=8)
def paragraph_bounds(text: str) -> tuple[tuple[int, int], ...]:
    """Every paragraph as (start, end) characters, without its outer whitespace, in order.

    Cached for the last few texts: the engine and the watches ask for the same text's.
    """
    return tuple(m.span(1) for m in _PARAGRAPH.finditer(text))
