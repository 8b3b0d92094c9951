"""Finding a site's feeds from its HTML page: `<link rel="alternate" type="...">`."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin

from daemon.alerts.sanitize import is_web_url
from daemon.errors import DaemonError, FetchError
from daemon.poll.fetch import FetchLimits, fetch, new_client
from daemon.poll.parse import ParseError, parse_feed

FEED_TYPES = {
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/feed+json",
    "application/json",
    "text/xml",
    "application/xml",
}


class DiscoverError(DaemonError):
    """No feed could be found at or from a URL."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url


class _LinkFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []  # (type, href)
        self.base: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "base" and a.get("href") and self.base is None:
            self.base = a["href"]
        if tag != "link" or not a.get("href"):
            return
        rels = a.get("rel", "").lower().split()
        kind = a.get("type", "").lower().split(";")[0].strip()
        if "alternate" in rels and kind in FEED_TYPES:
            self.links.append((kind, a["href"]))


def feed_links(html: bytes, page_url: str) -> list[str]:
    """Absolute http(s) URLs of the feeds a page announces, in page order, without repeats.

    A page is content someone else wrote: `<base href="x:">` made `/etc/passwd` a
    candidate, read as a local file. Only absolute http(s) URLs are candidates.
    """
    finder = _LinkFinder()
    finder.feed(html.decode("utf-8", errors="replace"))
    finder.close()
    base = page_url
    if finder.base and is_web_url(urljoin(page_url, finder.base)):
        base = urljoin(page_url, finder.base)
    links = (urljoin(base, href.strip()) for _, href in finder.links)
    return list(dict.fromkeys(link for link in links if is_web_url(link)))


def is_html(body: bytes, content_type: str | None) -> bool:
    """Whether a fetched body is an HTML page rather than a feed."""
    if content_type and "html" in content_type.lower():
        return True
    head = body[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


async def find_feed(url: str, limits: FetchLimits) -> tuple[str, str | None]:
    """The feed at `url` (its URL and title): the URL itself, or one its page announces."""
    async with new_client(limits) as client:
        got = await fetch(client, url, limits=limits)
        if not is_html(got.body, got.headers.get("content-type")):
            try:
                return url, parse_feed(got.body, url, got.headers).title
            except ParseError as e:
                raise DiscoverError(url, f"{e.error_class}: {e.reason}") from e
        candidates = feed_links(got.body, got.final_url)
        problems = []
        for link in candidates:
            try:
                feed = await fetch(client, link, limits=limits)
                return link, parse_feed(feed.body, link, feed.headers).title
            except (FetchError, ParseError) as e:
                problems.append(f"{link}: {e}")
    if not candidates:
        raise DiscoverError(url, "an HTML page that announces no feed (<link rel=alternate>)")
    raise DiscoverError(url, "no announced feed works: " + "; ".join(problems))
