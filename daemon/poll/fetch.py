"""Fetching feeds: httpx with conditional GET, bounded in time, size and redirects.

Every fetch is bounded: connect and read timeouts per operation, a total
deadline for the whole exchange (a server that trickles one byte per second
is cut off), a cap on the bytes read from the wire and a separate cap on the
decompressed size (gzip and brotli bombs), and a cap on redirects. Failures
raise FetchError with one of the classes in ERROR_CLASSES. Local files are
read directly. Nothing here knows about the store or the schedule.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urljoin

import brotli
import httpx

from daemon.errors import FetchError

USER_AGENT = "wirewatch/0.1 (+https://github.com/wirewatch/wirewatch)"
MAX_BODY_BYTES = 10 * 1024 * 1024
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5"
)
# The only error classes a fetch or parse failure is ever recorded as.
ERROR_CLASSES = (
    "dns",
    "connect",
    "tls",
    "timeout",
    "http_4xx",
    "http_5xx",
    "too_large",
    "not_a_feed",
    "parse",
)
_REDIRECTS = {301, 302, 303, 307, 308}
_PERMANENT = {301, 308}
_CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """The bounds every fetch stays within."""

    connect_timeout_s: float = 10.0
    read_timeout_s: float = 20.0
    total_timeout_s: float = 30.0
    max_bytes: int = MAX_BODY_BYTES
    max_decoded_bytes: int = 4 * MAX_BODY_BYTES
    max_redirects: int = 5
    user_agent: str = USER_AGENT


# Bounds for bodies read only so that the connection can be reused (redirects, 304s).
_SMALL = FetchLimits(max_bytes=64 * 1024, max_decoded_bytes=256 * 1024)


@dataclass(frozen=True, slots=True)
class Fetched:
    """A fetch's result: 304 means unchanged (no body).

    `url` is the URL asked for, `final_url` where the body came from.
    `moved_to` is set when every redirect on the way was permanent (301/308):
    the feed's new address. `fresh_for_s` is how long the server says the
    answer stays fresh (Cache-Control max-age, else Expires).
    """

    url: str
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    final_url: str = ""
    moved_to: str | None = None
    fresh_for_s: float | None = None

    @property
    def is_unchanged(self) -> bool:
        return self.status == 304


def is_local(url: str) -> bool:
    """Whether a feed source is a local file rather than an http(s) URL."""
    return not url.startswith(("http://", "https://"))


def new_client(limits: FetchLimits | None = None, max_connections: int = 100) -> httpx.AsyncClient:
    """The shared HTTP client for feeds; proxies come from the environment."""
    limits = limits or FetchLimits()
    return httpx.AsyncClient(
        timeout=httpx.Timeout(
            limits.read_timeout_s,
            connect=limits.connect_timeout_s,
            pool=limits.total_timeout_s,
        ),
        follow_redirects=False,  # followed by hand: counted, and permanent ones noted
        trust_env=True,
        # Few idle connections: httpcore scans its whole pool for every request, and on
        # a 10,000-feed cycle a large pool costs more CPU than new connections do.
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=8),
        headers={
            "user-agent": limits.user_agent,
            "accept": ACCEPT,
            "accept-encoding": "gzip, deflate, br",
        },
    )


async def fetch(
    client: httpx.AsyncClient,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    limits: FetchLimits | None = None,
    accept: str | None = None,
) -> Fetched:
    """GET a feed, conditionally; raise FetchError with a classified reason."""
    limits = limits or FetchLimits()
    if is_local(url):
        return _read_local(url, limits.max_bytes)
    headers = {}
    if etag:
        headers["if-none-match"] = etag
    if last_modified:
        headers["if-modified-since"] = last_modified
    if accept:
        headers["accept"] = accept
    try:
        async with asyncio.timeout(limits.total_timeout_s):
            return await _follow(client, url, headers, limits)
    except TimeoutError as e:
        raise FetchError(url, "timeout", f"no answer within {limits.total_timeout_s:g} s") from e
    except httpx.HTTPError as e:
        error_class, reason = classify(e)
        raise FetchError(url, error_class, reason) from e
    except httpx.InvalidURL as e:  # not an HTTPError: a URL we cannot even ask for
        raise FetchError(url, "connect", f"invalid URL: {e}") from e


async def _follow(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], limits: FetchLimits
) -> Fetched:
    current, moved_to = url, None
    permanent = True
    for _ in range(limits.max_redirects + 1):
        async with client.stream("GET", current, headers=headers) as resp:
            if resp.status_code in _REDIRECTS and "location" in resp.headers:
                await read_body(url, resp, _SMALL)  # read to the end: the connection is reused
                permanent = permanent and resp.status_code in _PERMANENT
                current = urljoin(current, resp.headers["location"])
                if permanent:
                    moved_to = current
                continue
            check_status(url, resp)
            if resp.status_code == 304:
                await read_body(url, resp, _SMALL)
                return Fetched(
                    url,
                    304,
                    headers=dict(resp.headers),
                    etag=resp.headers.get("etag"),
                    last_modified=resp.headers.get("last-modified"),
                    final_url=current,
                    moved_to=moved_to,
                    fresh_for_s=fresh_for_s(resp.headers),
                )
            body = await read_body(url, resp, limits)
            return Fetched(
                url,
                resp.status_code,
                body,
                dict(resp.headers),
                resp.headers.get("etag"),
                resp.headers.get("last-modified"),
                final_url=current,
                moved_to=moved_to,
                fresh_for_s=fresh_for_s(resp.headers),
            )
    raise FetchError(url, "http_4xx", f"more than {limits.max_redirects} redirects")


def check_status(url: str, resp: httpx.Response) -> None:
    """Raise FetchError for an HTTP error status, with Retry-After when given."""
    code = resp.status_code
    if code < 400:
        return
    error_class = "http_5xx" if code >= 500 else "http_4xx"
    raise FetchError(
        url,
        error_class,
        f"HTTP {code} {resp.reason_phrase}".strip(),
        status=code,
        retry_after_s=retry_after_s(resp.headers.get("retry-after"), resp.headers.get("date")),
    )


async def read_body(url: str, resp: httpx.Response, limits: FetchLimits) -> bytes:
    """The response body, decoded, within both size caps (checked while streaming)."""
    declared = resp.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limits.max_bytes:
        raise FetchError(url, "too_large", f"declared {declared} bytes, over {limits.max_bytes}")
    decode = _decoder(url, resp.headers.get("content-encoding", ""), limits.max_decoded_bytes)
    raw = decoded = 0
    parts: list[bytes] = []
    async for chunk in resp.aiter_raw(_CHUNK):
        raw += len(chunk)
        if raw > limits.max_bytes:
            raise FetchError(url, "too_large", f"body over {limits.max_bytes} bytes")
        for part in decode(chunk):
            decoded += len(part)
            if decoded > limits.max_decoded_bytes:
                raise FetchError(
                    url, "too_large", f"decompressed body over {limits.max_decoded_bytes} bytes"
                )
            parts.append(part)
    return b"".join(parts)


Decode = Callable[[bytes], list[bytes]]


def _decoder(url: str, encoding: str, cap: int) -> Decode:
    """A chunk decoder for a Content-Encoding whose output per call stays under `cap`."""
    codings = [c.strip().lower() for c in encoding.split(",") if c.strip()]
    codings = [c for c in codings if c != "identity"]
    if not codings:
        return lambda chunk: [chunk]
    if len(codings) > 1:
        raise FetchError(url, "not_a_feed", f"unsupported content-encoding {encoding!r}")
    coding = codings[0]
    if coding in ("gzip", "x-gzip", "deflate"):
        return _ZlibDecoder(url, coding, cap)
    if coding == "br":
        return _BrotliDecoder(url, cap)
    raise FetchError(url, "not_a_feed", f"unsupported content-encoding {encoding!r}")


class _ZlibDecoder:
    """gzip or deflate (zlib-wrapped or raw), at most `_CHUNK * 16` bytes per step."""

    def __init__(self, url: str, coding: str, cap: int) -> None:
        self.url, self.coding, self.cap = url, coding, cap
        wbits = zlib.MAX_WBITS if coding == "deflate" else 16 + zlib.MAX_WBITS
        self.d = zlib.decompressobj(wbits)
        self.first = True

    def __call__(self, chunk: bytes) -> list[bytes]:
        if self.first and self.coding == "deflate" and chunk and (chunk[0] & 0x0F) != 8:
            self.d = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, no zlib header
        self.first = False
        out: list[bytes] = []
        size, data = 0, chunk
        try:
            while data and size <= self.cap:
                part = self.d.decompress(data, _CHUNK * 16)
                out.append(part)
                size += len(part)
                data = self.d.unconsumed_tail
        except zlib.error as e:
            raise FetchError(self.url, "parse", f"bad {self.coding} body: {e}") from e
        return out


class _BrotliDecoder:
    """br, at most `_CHUNK * 16` bytes per step."""

    def __init__(self, url: str, cap: int) -> None:
        self.url, self.cap = url, cap
        self.d = brotli.Decompressor()

    def __call__(self, chunk: bytes) -> list[bytes]:
        out: list[bytes] = []
        try:
            out.append(self.d.process(chunk, output_buffer_limit=_CHUNK * 16))
            size = len(out[0])
            while not self.d.can_accept_more_data() and size <= self.cap:
                out.append(self.d.process(b"", output_buffer_limit=_CHUNK * 16))
                size += len(out[-1])
        except brotli.error as e:
            raise FetchError(self.url, "parse", f"bad br body: {e}") from e
        return out


def classify(exc: BaseException) -> tuple[str, str]:
    """The error class and a short reason for an httpx error."""
    if isinstance(exc, httpx.TimeoutException):
        return "timeout", type(exc).__name__
    seen: BaseException | None = exc
    for _ in range(20):  # the chain of causes; bounded in case it loops
        if seen is None:
            break
        if isinstance(seen, socket.gaierror):
            return "dns", f"cannot resolve host: {seen.strerror or seen}"
        if isinstance(seen, ssl.SSLError | ssl.CertificateError):
            return "tls", f"TLS: {seen}"
        seen = seen.__cause__ or seen.__context__
    text = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.ConnectError):
        lowered = text.lower()
        if "name or service not known" in lowered or "nodename nor servname" in lowered:
            return "dns", text
        if "ssl" in lowered or "certificate" in lowered:
            return "tls", text
        return "connect", text
    if isinstance(exc, httpx.TooManyRedirects):
        return "http_4xx", text
    return "connect", f"{type(exc).__name__}: {text}"


def retry_after_s(value: str | None, date: str | None = None) -> float | None:
    """Seconds from a Retry-After header (delta seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    when = _http_date(value)
    if when is None:
        return None
    return max(0.0, (when - (_http_date(date) or datetime.now(UTC))).total_seconds())


def fresh_for_s(headers: httpx.Headers) -> float | None:
    """How long the answer stays fresh: Cache-Control max-age, else Expires - Date."""
    for directive in headers.get("cache-control", "").split(","):
        name, _, arg = directive.strip().partition("=")
        if name.lower() in ("no-cache", "no-store"):
            return None
        if name.lower() in ("max-age", "s-maxage") and arg.strip('"').isdigit():
            return float(arg.strip('"'))
    expires = _http_date(headers.get("expires"))
    if expires is None:
        return None
    base = _http_date(headers.get("date")) or datetime.now(UTC)
    return max(0.0, (expires - base).total_seconds())


def _http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _read_local(url: str, max_bytes: int) -> Fetched:
    path = Path(url)
    try:
        with path.open("rb") as f:
            body = f.read(max_bytes + 1)
    except OSError as e:
        raise FetchError(url, "http_4xx", f"cannot read file: {e.strerror or e}") from e
    if len(body) > max_bytes:
        raise FetchError(url, "too_large", f"file over {max_bytes} bytes")
    return Fetched(url, 200, body, final_url=url)
