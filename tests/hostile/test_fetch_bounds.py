"""Hostile servers on loopback: every fetch ends in bounded time and memory.

Each server is a raw asyncio server in the test's own loop, so it can do what
a polite HTTP server never would: trickle, never answer, never stop.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import gzip
import time
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest

from daemon.errors import FetchError
from daemon.poll.fetch import Fetched, FetchLimits, fetch, new_client
from daemon.poll.parse import ParseError, parse_feed

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
LIMITS = FetchLimits(
    connect_timeout_s=1.0,
    read_timeout_s=1.0,
    total_timeout_s=2.0,
    max_bytes=1024 * 1024,
    max_decoded_bytes=4 * 1024 * 1024,
    max_redirects=5,
)
# What a fetch may allocate at most while fighting a hostile server.
MEMORY_BOUND = 24 * 1024 * 1024
SLACK_S = 3.0  # past the total deadline: closing the server, the client


@asynccontextmanager
async def raw_server(handler: Handler) -> AsyncIterator[str]:
    async def guarded(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            await handler(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client hung up on us: that is the point
        finally:
            writer.close()

    server = await asyncio.start_server(guarded, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/feed"
    finally:
        server.close()
        # Handlers still looping (endless body) end when their client is gone.


def head(status: str = "200 OK", **headers: str) -> bytes:
    lines = [f"HTTP/1.1 {status}"] + [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def bounded_fetch(handler: Handler, limits: FetchLimits = LIMITS) -> Fetched | FetchError:
    """Fetch from a hostile server; assert the time and memory bounds; the result."""

    async def go() -> Fetched | FetchError:
        async with raw_server(handler) as url, new_client(limits) as client:
            try:
                return await fetch(client, url, limits=limits)
            except FetchError as e:
                return e

    tracemalloc.start()
    started = time.monotonic()
    try:
        result = asyncio.run(go())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < limits.total_timeout_s + SLACK_S
    assert peak < MEMORY_BOUND, f"peak {peak} bytes"
    return result


def failed(result: Fetched | FetchError, error_class: str) -> FetchError:
    assert isinstance(result, FetchError), result
    assert result.error_class == error_class, result
    return result


@functools.cache
def gzip_bomb_body() -> bytes:
    """64 MiB of zeros, gzipped to about 64 KB: under the wire cap, 16 times the decoded one.

    Built once, before any server starts: compressing it inside the handler took
    seconds of the client's own deadline on a loaded machine (the test then saw a
    timeout, not the cap)."""
    z = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zero = bytes(1024 * 1024)
    return b"".join(z.compress(zero) for _ in range(64)) + z.flush()


async def gzip_bomb(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    body = gzip_bomb_body()
    writer.write(head(content_encoding="gzip", content_length=str(len(body))) + body)
    await writer.drain()


async def endless_body(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(head(transfer_encoding="chunked", content_type="application/rss+xml"))
    chunk = b"<item>" + b"x" * 65536 + b"</item>"
    frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    while True:
        writer.write(frame)
        await writer.drain()


async def one_byte_per_tick(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(head(content_length="100000", content_type="application/rss+xml"))
    for _ in range(100000):
        writer.write(b"<")
        await writer.drain()
        await asyncio.sleep(0.2)  # each read gets a byte well within the read timeout


async def never_answers(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await asyncio.Event().wait()


async def redirect_loop(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(head("302 Found", location="/feed", content_length="0"))
    await writer.drain()


async def fifty_megabytes(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    item = b"<item><title>t</title><description>" + b"y" * 4000 + b"</description></item>"
    writer.write(head(transfer_encoding="chunked", content_type="application/rss+xml"))
    sent = 0
    while sent < 50 * 1024 * 1024:
        frame = f"{len(item) * 16:x}\r\n".encode() + item * 16 + b"\r\n"
        writer.write(frame)
        sent += len(item) * 16
        await writer.drain()
    writer.write(b"0\r\n\r\n")


def test_gzip_bomb_is_cut_at_the_decompressed_cap() -> None:
    body = gzip_bomb_body()
    assert len(body) < LIMITS.max_bytes < LIMITS.max_decoded_bytes < len(gzip.decompress(body))
    # Deadlines no loaded machine reaches: only the decoded-size cap can end this fetch,
    # and the memory bound says the bytes past it were never held.
    patient = dataclasses.replace(
        LIMITS, connect_timeout_s=30.0, read_timeout_s=30.0, total_timeout_s=60.0
    )
    e = failed(bounded_fetch(gzip_bomb, patient), "too_large")
    assert e.reason == f"decompressed body over {LIMITS.max_decoded_bytes} bytes"


def test_endless_body_is_cut_at_the_size_cap() -> None:
    failed(bounded_fetch(endless_body), "too_large")


def test_fifty_megabyte_feed_is_refused_while_streaming() -> None:
    failed(bounded_fetch(fifty_megabytes), "too_large")


def test_declared_fifty_megabytes_are_refused_before_reading() -> None:
    async def declared(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(head(content_length=str(50 * 1024 * 1024)))
        await writer.drain()
        await asyncio.Event().wait()

    assert "declared" in failed(bounded_fetch(declared), "too_large").reason


def test_one_byte_per_tick_hits_the_total_deadline() -> None:
    failed(bounded_fetch(one_byte_per_tick), "timeout")


def test_a_server_that_never_answers_times_out() -> None:
    failed(bounded_fetch(never_answers), "timeout")


def test_redirect_loop_is_capped() -> None:
    assert "redirects" in failed(bounded_fetch(redirect_loop), "http_4xx").reason


def test_html_instead_of_a_feed_is_not_a_feed() -> None:
    page = b"<!DOCTYPE html><html><head><title>Shop</title></head><body><p>Hi</p></body></html>"

    async def html(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(head(content_type="text/html", content_length=str(len(page))) + page)
        await writer.drain()

    got = bounded_fetch(html)
    assert isinstance(got, Fetched)
    with pytest.raises(ParseError) as info:
        parse_feed(got.body, "http://x/feed", got.headers)
    assert info.value.error_class == "not_a_feed"


def test_wrong_declared_charset_still_yields_articles() -> None:
    text = "Путин и Ким: переговоры в Москве"
    body = (
        '<?xml version="1.0" encoding="windows-1251"?><rss version="2.0"><channel>'
        f"<title>Новости</title><item><title>{text}</title><guid>1</guid></item>"
        "</channel></rss>"
    ).encode("windows-1251")

    async def lying(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        ctype = "application/rss+xml; charset=utf-8"  # the bytes are windows-1251
        writer.write(head(content_type=ctype, content_length=str(len(body))) + body)
        await writer.drain()

    got = bounded_fetch(lying)
    assert isinstance(got, Fetched)
    parsed = parse_feed(got.body, "http://x/feed", got.headers)
    assert len(parsed.articles) == 1
    assert parsed.warning is not None  # recovered: a warning, not a failure
