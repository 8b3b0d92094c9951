"""Hit lists as Atom, JSON Feed 1.1 and CSV, for feed readers and spreadsheets.

Feed text goes out escaped (Atom: XML escaping by the template engine; JSON:
json.dumps); links only when they are http(s). CSV cells that a spreadsheet would
run as a formula are prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from daemon.web.text import safe_url
from store.codec import ts

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def json_feed(hits: Sequence[dict[str, Any]], *, title: str, home: str, self_url: str) -> str:
    """A JSON Feed 1.1 document of hits."""
    items = []
    for h in hits:
        item: dict[str, Any] = {
            "id": f"{home}hits/{h['id']}",
            "title": f"[{h['watch_id']}] {h['title'] or ''}",
            "content_text": " … ".join(e["text"] for e in json.loads(h["evidence"])),
            "date_published": ts(h["created_at"]),
            "tags": [h["watch_id"], h["severity"] or ""],
            "external_url": safe_url(h["url"]) or None,
            "url": f"{home}hits/{h['id']}",
        }
        items.append({k: v for k, v in item.items() if v is not None})
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": title,
        "home_page_url": home,
        "feed_url": self_url,
        "items": items,
    }
    return json.dumps(doc, ensure_ascii=False, indent=1)


def csv_cell(value: Any) -> str:
    """A value as a CSV cell that no spreadsheet evaluates."""
    if isinstance(value, datetime):
        value = ts(value)
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_text(hits: Sequence[dict[str, Any]]) -> str:
    """Hits as CSV: one row each, a header first."""
    out = io.StringIO()
    w = csv.writer(out)
    cols = ["id", "created_at", "watch_id", "severity", "verdict", "title", "url", "feed_url"]
    w.writerow([*cols, "lang", "evidence"])
    for h in hits:
        evidence = " … ".join(e["text"] for e in json.loads(h["evidence"]))
        w.writerow([csv_cell(h[c]) for c in cols] + [csv_cell(h["lang"]), csv_cell(evidence)])
    return out.getvalue()
