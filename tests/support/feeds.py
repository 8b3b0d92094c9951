"""One RSS builder for the tests: items in, an RSS 2.0 document (bytes) out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape


@dataclass(frozen=True)
class Item:
    """One <item>. Text goes into <description> (as CDATA when `cdata`)."""

    guid: str
    title: str | None = None
    text: str | None = None
    link: str | None = None
    published: datetime | None = None
    cdata: bool = False


def item_xml(item: Item) -> str:
    parts = [f'<guid isPermaLink="false">{escape(item.guid)}</guid>']
    if item.title is not None:
        parts.append(f"<title>{escape(item.title)}</title>")
    if item.link is not None:
        parts.append(f"<link>{escape(item.link)}</link>")
    if item.published is not None:
        parts.append(f"<pubDate>{format_datetime(item.published)}</pubDate>")
    if item.text is not None:
        body = f"<![CDATA[{item.text}]]>" if item.cdata else escape(item.text)
        parts.append(f"<description>{body}</description>")
    return "<item>" + "".join(parts) + "</item>"


def rss(
    *items: Item, title: str = "test feed", lang: str | None = None, link: str | None = None
) -> bytes:
    """An RSS 2.0 document with `items` in the order given (newest first, as feeds do)."""
    head = f"<title>{escape(title)}</title>"
    if link is not None:
        head += f"<link>{escape(link)}</link>"
    if lang is not None:
        head += f"<language>{escape(lang)}</language>"
    body = "".join(item_xml(i) for i in items)
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"{head}{body}</channel></rss>"
    ).encode()
