"""Fetching feeds: httpx with conditional GET, caps on time and size; local files."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import httpx

from daemon.errors import FetchError

USER_AGENT = "wirewatch/0.1 (+https://github.com/wirewatch/wirewatch)"
MAX_BODY_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Fetched:
    """A fetch's result: 304 means unchanged (no body)."""

    url: str
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None

    @property
    def is_unchanged(self) -> bool:
        return self.status == 304


def is_local(url: str) -> bool:
    """Whether a feed source is a local file rather than an http(s) URL."""
    return not url.startswith(("http://", "https://"))


def new_client(timeout_s: float = 30.0) -> httpx.AsyncClient:
    """The shared HTTP client for feeds."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout_s, connect=min(10.0, timeout_s)),
        follow_redirects=True,
        max_redirects=5,
        headers={
            "user-agent": USER_AGENT,
            "accept": "application/rss+xml, application/atom+xml, "
            "application/feed+json, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5",
        },
    )


async def fetch(
    client: httpx.AsyncClient,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    max_bytes: int = MAX_BODY_BYTES,
) -> Fetched:
    """GET a feed, conditionally; raise FetchError with a classified reason."""
    if is_local(url):
        return _read_local(url, max_bytes)
    headers = {}
    if etag:
        headers["if-none-match"] = etag
    if last_modified:
        headers["if-modified-since"] = last_modified
    try:
        async with client.stream("GET", url, headers=headers) as resp:
            if resp.status_code == 304:
                return Fetched(url, 304, etag=etag, last_modified=last_modified)
            if resp.status_code >= 400:
                kind = "http_5xx" if resp.status_code >= 500 else "http_4xx"
                raise FetchError(url, kind, f"HTTP {resp.status_code}")
            chunks, size = [], 0
            async for chunk in resp.aiter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(url, "too_large", f"body over {max_bytes} bytes")
                chunks.append(chunk)
            return Fetched(
                url,
                resp.status_code,
                b"".join(chunks),
                dict(resp.headers),
                resp.headers.get("etag"),
                resp.headers.get("last-modified"),
            )
    except httpx.TimeoutException as e:
        raise FetchError(url, "timeout", type(e).__name__) from e
    except httpx.ConnectError as e:
        raise FetchError(url, "connect", str(e) or type(e).__name__) from e
    except httpx.HTTPError as e:
        raise FetchError(url, "connect", f"{type(e).__name__}: {e}") from e


def _read_local(url: str, max_bytes: int) -> Fetched:
    path = Path(url)
    try:
        with path.open("rb") as f:
            body = f.read(max_bytes + 1)
    except OSError as e:
        raise FetchError(url, "not_found", e.strerror or str(e)) from e
    if len(body) > max_bytes:
        raise FetchError(url, "too_large", f"file over {max_bytes} bytes")
    return Fetched(url, 200, body)
