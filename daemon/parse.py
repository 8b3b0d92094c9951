"""Parsing fetched feed bytes into Articles (feedparser); HTML reduced to text.

No FeedParserDict leaves this module.
"""

from __future__ import annotations

import calendar
import hashlib
import io
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

import feedparser

from rules.model import Article

log = logging.getLogger(__name__)

_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "section",
    "article",
    "header",
    "footer",
    "tr",
    "table",
    "pre",
    "figure",
    "figcaption",
    "hr",
}
_SKIP_TAGS = {"script", "style", "noscript", "template"}
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A parsed feed: its title, language and articles, newest first as given."""

    title: str | None
    lang: str | None
    articles: tuple[Article, ...]
    warning: str | None = None


class ParseError(ValueError):
    """The bytes are not a feed at all."""


def parse_feed(
    body: bytes,
    feed_url: str,
    headers: dict[str, str] | None = None,
    lang: str | None = None,
) -> ParsedFeed:
    """Parse feed bytes; bozo is a warning when entries were recovered."""
    parsed: Any = feedparser.parse(io.BytesIO(body), response_headers=headers or {})
    warning = None
    if parsed.bozo:
        warning = f"{type(parsed.bozo_exception).__name__}: {parsed.bozo_exception}"
        if not parsed.entries and not parsed.get("version"):
            raise ParseError(warning)
    feed = parsed.feed
    feed_title = _clean(feed.get("title")) or None
    feed_lang = (
        lang
        or _lang(feed.get("language"))
        or _lang(getattr(parsed, "headers", {}).get("content-language"))
    )
    articles = tuple(_article(e, feed_url, feed_title, feed_lang) for e in parsed.entries)
    return ParsedFeed(feed_title, feed_lang, articles, warning)


def _article(entry: Any, feed_url: str, feed_title: str | None, feed_lang: str | None) -> Article:
    title = _clean(html_to_text(entry.get("title", "")))
    body = ""
    for content in entry.get("content", []):
        if content.get("value"):
            body = content["value"]
            break
    body = body or entry.get("summary", "") or entry.get("description", "")
    text = html_to_text(body)
    link = entry.get("link") or ""
    guid = entry.get("id") or None
    key = guid or link or hashlib.sha256((title + "\n" + text).encode()).hexdigest()
    lang = _lang(entry.get("language")) or _lang(_detail_lang(entry)) or feed_lang
    return Article(
        id=hashlib.sha256(f"{feed_url}\n{key}".encode()).hexdigest()[:32],
        feed_url=feed_url,
        url=link,
        title=title,
        text=f"{title}\n\n{text}" if title else text,
        published_at=_date(entry),
        lang=lang,
        guid=guid,
        feed_title=feed_title,
    )


def _detail_lang(entry: Any) -> str | None:
    for key in ("content", "summary_detail", "title_detail"):
        detail = entry.get(key)
        if isinstance(detail, list):
            detail = detail[0] if detail else None
        if detail and detail.get("language"):
            return str(detail["language"])
    return None


def _lang(value: Any) -> str | None:
    if not value:
        return None
    code = str(value).strip().split("-")[0].split("_")[0].lower()
    return code if 2 <= len(code) <= 3 and code.isalpha() else None


def _date(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            try:
                return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
            except (OverflowError, ValueError, TypeError):
                continue
    return None


def _clean(text: str | None) -> str:
    return _SPACES.sub(" ", text or "").strip()


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Text of an HTML fragment; block elements become paragraph breaks."""
    if "<" not in html and "&" not in html:
        raw = html
    else:
        p = _TextExtractor()
        p.feed(html)
        p.close()
        raw = "".join(p.parts)
    paragraphs = []
    for block in re.split(r"\n\s*\n", raw):
        lines = [_clean(line) for line in block.split("\n")]
        para = "\n".join(line for line in lines if line)
        if para:
            paragraphs.append(para)
    return "\n\n".join(paragraphs)
