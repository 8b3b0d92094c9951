"""Attacker-written text (feed titles, summaries, URLs) made safe to show."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from rules.model import Evidence
from store.codec import evidence_dict

# Bidirectional overrides and isolates: shown as visible marks, never obeyed.
BIDI = {
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\u200e",
    "\u200f",
}


def clean(text: str | None) -> str:
    """Text with bidi controls replaced by a visible mark (U+FFFD)."""
    if not text:
        return ""
    return "".join("\ufffd" if c in BIDI else c for c in text)


def safe_url(url: str | None) -> str:
    """The URL if it is http(s), else '' (no javascript:, data:, ...)."""
    if not url:
        return ""
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return ""
    return url.strip() if scheme in ("http", "https") else ""


def highlighted(evidence: dict[str, Any] | Evidence) -> Markup:
    """An evidence sentence, escaped, with each matched name in <mark>."""
    if isinstance(evidence, Evidence):
        evidence = evidence_dict(evidence)
    text, start = evidence["text"], evidence["start"]
    out, pos = [], 0
    spans = sorted((m["start"] - start, m["end"] - start) for m in evidence.get("mentions", []))
    for s, e in spans:
        if s < pos or s < 0 or e > len(text):
            continue
        out += [escape(clean(text[pos:s])), Markup("<mark>"), escape(clean(text[s:e]))]
        out.append(Markup("</mark>"))
        pos = e
    out.append(escape(clean(text[pos:])))
    return Markup("").join(out)


def evidence_of(raw: str) -> list[dict[str, Any]]:
    """Stored evidence JSON as a list of dicts."""
    value = json.loads(raw)
    return value if isinstance(value, list) else []
