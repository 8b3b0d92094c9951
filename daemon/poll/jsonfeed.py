"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1), which feedparser 6 does not read.

Turns the JSON into plain entry dicts of the shape `daemon.poll.parse` builds
Articles from; imports nothing of the store.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

_VERSION_PREFIXES = ("https://jsonfeed.org/version/", "http://jsonfeed.org/version/")


@dataclass(frozen=True, slots=True)
class JsonEntry:
    """One JSON Feed item, reduced to what an Article needs."""

    guid: str | None
    link: str
    title: str
    html: str
    published_at: datetime | None
    lang: str | None


@dataclass(frozen=True, slots=True)
class JsonFeed:
    """A JSON Feed's title, language and items."""

    title: str | None
    lang: str | None
    entries: tuple[JsonEntry, ...]
    skipped: tuple[str, ...] = ()  # why each unreadable item was skipped


def is_json_feed(body: bytes) -> bool:
    """Whether bytes look like JSON (a feed or not): the first non-space byte is `{`."""
    head = body[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"{")


def parse_json_feed(body: bytes) -> JsonFeed:
    """Parse a JSON Feed; ValueError when it is not one."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        # One item's bad byte costs that character (U+FFFD), not the whole feed.
        text = body.decode("utf-8-sig", errors="replace")
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as e:
        raise ValueError(f"invalid JSON: {e}") from e
    if not isinstance(data, dict):
        raise ValueError("JSON document is not an object")
    version = data.get("version")
    if not isinstance(version, str) or not version.startswith(_VERSION_PREFIXES):
        raise ValueError("JSON document is not a JSON Feed (no jsonfeed.org version)")
    items = data.get("items")
    if not isinstance(items, list):
        raise ValueError("JSON Feed has no items list")
    lang = _str(data.get("language"))
    entries, skipped = [], []
    for n, item in enumerate(items, 1):
        try:
            if not isinstance(item, dict):
                raise ValueError("not an object")
            entries.append(_entry(item, lang))
        except (ValueError, TypeError, OverflowError, RecursionError) as e:
            skipped.append(f"item {n}: {type(e).__name__}: {str(e)[:200]}")
    return JsonFeed(_str(data.get("title")), lang, tuple(entries), tuple(skipped))


def _entry(item: dict[str, Any], feed_lang: str | None) -> JsonEntry:
    html = _str(item.get("content_html"))
    if not html:
        text = _str(item.get("content_text")) or _str(item.get("summary")) or ""
        html = "".join(f"<p>{_escape(p)}</p>" for p in text.split("\n\n"))
    guid = item.get("id")
    return JsonEntry(
        guid=str(guid) if guid not in (None, "") else None,
        link=_str(item.get("url")) or _str(item.get("external_url")) or "",
        title=_str(item.get("title")) or "",
        html=html,
        published_at=_date(item.get("date_published")) or _date(item.get("date_modified")),
        lang=_str(item.get("language")) or feed_lang,
    )


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _date(value: Any) -> datetime | None:
    """An RFC 3339 date in UTC (naive dates are taken as UTC)."""
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        # 0001-01-01T00:00:00+01:00 is valid and has no UTC form (OverflowError).
        return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)
    except (ValueError, OverflowError):
        return None
