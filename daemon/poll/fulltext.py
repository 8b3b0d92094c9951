"""Full text for feeds that carry only summaries (`full_text: true` on a feed).

Fetches each new article's page within the same bounds as feeds and extracts
the main text with trafilatura (the optional extra `wirewatch[fulltext]`).
When trafilatura is missing or a page fails, the article keeps its summary.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Sequence

import httpx

from daemon.errors import FetchError
from daemon.poll.fetch import FetchLimits, fetch, is_http
from rules.model import Article

log = logging.getLogger(__name__)

PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
PAGES_AT_ONCE = 2


def extract_text(html: bytes, url: str) -> str | None:
    """The main text of an HTML page, paragraphs separated by blank lines; None: none."""
    try:
        import trafilatura
    except ImportError as e:
        log.warning("%s", missing_extractor(e))
        return None
    text = trafilatura.extract(html, url=url, include_comments=False, include_tables=False)
    if not text:
        return None
    paragraphs = [p.strip() for p in str(text).split("\n") if p.strip()]
    return "\n\n".join(paragraphs) or None


def missing_extractor(error: ImportError) -> str:
    """What to install when trafilatura cannot be imported: itself, or what it needs
    (never 'install trafilatura' when it is installed)."""
    missing = error.name or str(error)
    if missing.split(".")[0] == "trafilatura":
        return "full_text needs trafilatura: pip install 'wirewatch[fulltext]'"
    return (
        f"full_text: trafilatura is installed but cannot import {missing} ({error}): "
        "pip install 'wirewatch[fulltext]' (lxml 6 needs lxml_html_clean)"
    )


async def fill_full_text(
    client: httpx.AsyncClient,
    articles: Sequence[Article],
    limits: FetchLimits,
    at_once: int = PAGES_AT_ONCE,
) -> list[Article]:
    """Each article with its page's main text in place of the summary, where one is found.

    At most `at_once` pages are fetched at a time, so a feed with many new
    articles neither takes one page at a time for ever nor hammers its site.
    """
    limit = asyncio.Semaphore(at_once)

    async def one(article: Article) -> Article:
        async with limit:
            text = await page_text(client, article.url, limits)
        if not text:
            return article
        body = f"{article.title}\n\n{text}" if article.title else text
        return dataclasses.replace(article, text=body)

    return list(await asyncio.gather(*(one(a) for a in articles)))


async def page_text(client: httpx.AsyncClient, url: str, limits: FetchLimits) -> str | None:
    """The main text of the page at `url`, or None (logged) when it cannot be had."""
    if not url or not is_http(url):  # an article's link is the feed's word: http(s) only
        return None
    try:
        page = await fetch(client, url, limits=limits, accept=PAGE_ACCEPT)
    except FetchError as e:
        log.info("full text fetch failed url=%s class=%s reason=%s", url, e.error_class, e.reason)
        return None
    return await asyncio.to_thread(extract_text, page.body, page.final_url)
