"""Every real-world feed in the corpus, served on loopback through the real fetch path.

The corpus (WIREWATCH_CORPUS_DIR, read in place, never copied) holds feedparser's,
Miniflux's, NetNewsWire's and rss-parser's test feeds. feedparser's files
declare HTTP response headers in a leading comment (`Header: Name: value`);
those become the response's headers. Each file must yield articles or a
classified error, and nothing may crash.
"""

from __future__ import annotations

import asyncio
import codecs
import re
from collections import Counter
from pathlib import Path

import httpx

from daemon.errors import FetchError
from daemon.poll.fetch import ERROR_CLASSES, FetchLimits, fetch, new_client
from daemon.poll.parse import ParseError, parse_feed
from tests.support.servers import RecordingServer, Reply, Request

_HEADER = re.compile(r"^Header:\s*([\w-]+):\s*(.*?)\s*$", re.MULTILINE)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_NO_BOM = ((b"\x00\x00\x00<", "utf-32-be"), (b"<\x00\x00\x00", "utf-32-le"))
_NO_BOM16 = ((b"\x00<\x00?", "utf-16-be"), (b"<\x00?\x00", "utf-16-le"))


def declared_headers(body: bytes) -> dict[str, str]:
    """The `Header:` lines of a feedparser test file's leading comment (any encoding)."""
    head = body[:4096]
    encoding = "latin-1"
    for bom, name in _BOMS:
        if head.startswith(bom):
            encoding = name
            head = head[len(bom) :]
            break
    else:
        for prefix, name in _NO_BOM + _NO_BOM16:
            if head.startswith(prefix):
                encoding = name
                break
    text = head.decode(encoding, errors="replace")
    comment_end = text.find("-->")
    declared = _HEADER.findall(text[: comment_end if comment_end > 0 else 2000])
    # feedparser's harness defaults to text/xml for its HTTP cases; a file that declares
    # nothing is served as application/xml, so its own XML declaration decides the charset.
    headers = {"content-type": "text/xml" if declared else "application/xml"}
    for name, value in declared:
        headers[name.lower()] = value
    return headers


def corpus_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.name != "SOURCES.md")


def serve(server: RecordingServer, files: list[Path], root: Path) -> dict[str, Path]:
    paths = {}
    for f in files:
        path = "/" + f.relative_to(root).as_posix()
        body = f.read_bytes()
        headers = declared_headers(body)

        def route(req: Request, body: bytes = body, headers: dict[str, str] = headers) -> Reply:
            return Reply(200, body, headers)

        server.routes[path] = route
        paths[path] = f
    return paths


async def take_all(base: str, paths: list[str]) -> dict[str, str]:
    """Fetch and parse every path; 'ok:N' or the error class, per path."""
    limits = FetchLimits(connect_timeout_s=5, read_timeout_s=5, total_timeout_s=10)
    out: dict[str, str] = {}
    limit = asyncio.Semaphore(8)

    async def one(client: httpx.AsyncClient, path: str) -> None:
        async with limit:
            try:
                got = await fetch(client, base + path, limits=limits)
                parsed = await asyncio.to_thread(parse_feed, got.body, base + path, got.headers)
                out[path] = f"ok:{len(parsed.articles)}"
            except (FetchError, ParseError) as e:
                out[path] = e.error_class

    async with new_client(limits) as client:
        await asyncio.gather(*(one(client, p) for p in paths))
    return out


def test_every_corpus_feed_yields_articles_or_a_classified_error(
    corpus_dir: Path, http_server: RecordingServer
) -> None:
    files = corpus_files(corpus_dir)
    assert len(files) >= 290, f"corpus at {corpus_dir} looks incomplete: {len(files)} files"
    paths = serve(http_server, files, corpus_dir)
    results = asyncio.run(take_all(http_server.url, sorted(paths)))
    assert set(results) == set(paths)
    summary: Counter[str] = Counter()
    for path, result in sorted(results.items()):
        if result.startswith("ok:"):
            summary["articles" if result != "ok:0" else "no entries"] += 1
        else:
            assert result in ERROR_CLASSES, (path, result)
            summary[result] += 1
    print(f"\ncorpus: {len(files)} feeds: " + ", ".join(f"{k}={v}" for k, v in summary.items()))
    # The real-world snapshots (outside feedparser's synthetic cases) that list entries
    # must give articles, whatever their encoding or dialect.
    for path, f in paths.items():
        if path.startswith("/feedparser/") or path in TRUNCATED:
            continue
        if _ENTRY.search(f.read_bytes()):
            assert results[path] not in ("ok:0", *ERROR_CLASSES), (path, results[path])


_ENTRY = re.compile(rb"<(item|entry)[\s>]|\"items\"\s*:\s*\[\s*\{", re.IGNORECASE)
# Cut short on purpose in the corpus (a JSON Feed that ends mid-string).
TRUNCATED = {"/RSParser/allthis-partial.json"}
