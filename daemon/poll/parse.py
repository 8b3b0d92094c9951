"""Parsing fetched feed bytes into Articles (feedparser; JSON Feed by hand).

HTML is reduced to text keeping paragraph boundaries. Article identity is
stable: the guid, else the canonical link (tracking parameters and fragment
dropped, host lower-cased), else a hash of the content. No FeedParserDict
leaves this module.
"""

from __future__ import annotations

import calendar
import hashlib
import io
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import feedparser

from daemon.errors import DaemonError
from daemon.poll.jsonfeed import JsonEntry, is_json_feed, parse_json_feed
from rules.model import Article

log = logging.getLogger(__name__)
T = TypeVar("T")

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
# Query parameters that say where a reader came from, not what they read.
_TRACKING = re.compile(
    r"^(utm_\w*|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|mc_cid|mc_eid|_ga|_gl|igshid"
    r"|ref_src|ref_url|cmpid|ocid|__twitter_impression|at_medium|at_campaign|wt_mc|s_cid)$",
    re.IGNORECASE,
)
_FEED_ROOT = re.compile(rb"<(rss|feed|rdf:RDF|RDF|channel)\b")
# What one item may cost. spaCy refuses texts over 1,000,000 characters (E088), and one
# such item killed its whole feed on every poll: longer texts are cut here. Items past
# MAX_ITEMS are not read this poll (a 100,000-item feed held a poll slot for ~30 min).
MAX_TEXT_CHARS = 1_000_000
MAX_TITLE_CHARS = 2_000
MAX_URL_CHARS = 8_000
MAX_ITEMS = 1_000


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A parsed feed: its title, language and articles, newest first as given."""

    title: str | None
    lang: str | None
    articles: tuple[Article, ...]
    warning: str | None = None
    ttl_s: float | None = None  # RSS <ttl>: how long the feed may be cached
    skipped: tuple[str, ...] = ()  # why each unreadable item was skipped


class ParseError(DaemonError):
    """The bytes are not a feed (`not_a_feed`) or a feed too broken to read (`parse`)."""

    def __init__(self, error_class: str, reason: str) -> None:
        super().__init__(f"{error_class}: {reason}")
        self.error_class = error_class
        self.reason = reason


def parse_feed(
    body: bytes,
    feed_url: str,
    headers: dict[str, str] | None = None,
    lang: str | None = None,
) -> ParsedFeed:
    """Parse feed bytes; bozo is a warning when entries were recovered."""
    if is_json_feed(body):
        return _parse_json(body, feed_url, lang)
    # We reduce HTML to text ourselves, so feedparser's sanitizer and its rewriting of
    # URIs inside content are wasted work (about half of its time on a typical feed).
    parsed: Any = feedparser.parse(
        io.BytesIO(body),
        response_headers=headers or {},
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    warning = None
    if parsed.bozo:
        warning = f"{type(parsed.bozo_exception).__name__}: {parsed.bozo_exception}"
        if not parsed.entries and not parsed.get("version"):
            kind = "parse" if _FEED_ROOT.search(body[:4096]) else "not_a_feed"
            raise ParseError(kind, warning)
    if not parsed.get("version") and not parsed.entries:
        raise ParseError("not_a_feed", "no RSS, Atom, RDF or JSON Feed document found")
    feed = parsed.feed
    feed_title = _clean(html_to_text(feed.get("title") or "")) or None
    feed_lang = (
        lang
        or _lang(feed.get("language"))
        or _lang(getattr(parsed, "headers", {}).get("content-language"))
    )
    articles, skipped = read_items(
        parsed.entries, lambda e: _article(e, feed_url, feed_title, feed_lang)
    )
    ttl_s = _ttl_s(feed.get("ttl"))
    return ParsedFeed(feed_title, feed_lang, articles, warning, ttl_s, skipped)


def read_items(
    entries: Sequence[T], build: Callable[[T], Article]
) -> tuple[tuple[Article, ...], tuple[str, ...]]:
    """Build an Article from each entry; an entry that fails is skipped with its reason,
    never the feed. Entries past MAX_ITEMS are skipped too."""
    articles: list[Article] = []
    skipped: list[str] = []
    for i, entry in enumerate(entries):
        if i >= MAX_ITEMS:
            skipped.append(f"over {MAX_ITEMS} items in one poll: {len(entries) - i} not read")
            break
        try:
            articles.append(bounded(build(entry)))
        except Exception as e:  # one item's failure stays that item's
            skipped.append(f"item {i + 1}: {type(e).__name__}: {str(e)[:200]}")
    return tuple(articles), tuple(skipped)


def bounded(a: Article) -> Article:
    """An article without NUL bytes (PostgreSQL refuses them) and within the size caps."""

    def clean(text: str, limit: int) -> str:
        return text.replace("\x00", "")[:limit]

    return Article(
        id=a.id,
        feed_url=a.feed_url,
        url=clean(a.url, MAX_URL_CHARS),
        title=clean(a.title, MAX_TITLE_CHARS),
        text=clean(a.text, MAX_TEXT_CHARS),
        published_at=a.published_at,
        lang=a.lang,
        guid=clean(a.guid, MAX_URL_CHARS) if a.guid is not None else None,
        feed_title=clean(a.feed_title, MAX_TITLE_CHARS) if a.feed_title is not None else None,
    )


def _parse_json(body: bytes, feed_url: str, lang: str | None) -> ParsedFeed:
    try:
        jf = parse_json_feed(body)
    except ValueError as e:
        kind = "parse" if b"jsonfeed.org/version/" in body else "not_a_feed"
        raise ParseError(kind, str(e)) from e
    feed_lang = lang or _lang(jf.lang)

    def build(item: JsonEntry) -> Article:
        title = _clean(html_to_text(item.title))
        text = html_to_text(item.html)
        return Article(
            id=article_id(feed_url, item.guid, item.link, title, text),
            feed_url=feed_url,
            url=item.link,
            title=title,
            text=f"{title}\n\n{text}" if title else text,
            published_at=item.published_at,
            lang=_lang(item.lang) or feed_lang,
            guid=item.guid,
            feed_title=jf.title,
        )

    articles, skipped = read_items(jf.entries, build)
    return ParsedFeed(jf.title, feed_lang, articles, skipped=jf.skipped + skipped)


def article_id(feed_url: str, guid: str | None, link: str, title: str, text: str) -> str:
    """A stable id: the guid, else the canonical link, else a hash of the content."""
    key = guid or canonical_link(link) or hashlib.sha256(f"{title}\n{text}".encode()).hexdigest()
    return hashlib.sha256(f"{feed_url}\n{key}".encode()).hexdigest()[:32]


def canonical_link(url: str) -> str:
    """A link without tracking parameters or fragment, scheme and host lower-cased."""
    url = url.strip()
    if not url:
        return ""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if port and (scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    if parts.username:
        host = f"{parts.username}@{host}"
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)
    ]
    return urlunsplit((scheme, host, parts.path or "/", urlencode(query, doseq=True), ""))


def _ttl_s(value: Any) -> float | None:
    try:
        minutes = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    return minutes * 60 if minutes > 0 else None


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
    lang = _lang(entry.get("language")) or _lang(_detail_lang(entry)) or feed_lang
    return Article(
        id=article_id(feed_url, guid, link, title, text),
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
        value = dict.get(entry, key)  # plain lookup: no deprecated key mapping
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
