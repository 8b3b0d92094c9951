"""fetch: conditional GET, content codings, redirects, error statuses, classes."""

from __future__ import annotations

import asyncio
import gzip
import socket
import ssl
import zlib
from typing import Any

import brotli
import httpx
import pytest

from daemon.errors import FetchError
from daemon.poll.fetch import (
    ERROR_CLASSES,
    FetchLimits,
    classify,
    fetch,
    fresh_for_s,
    new_client,
    retry_after_s,
)
from tests.support.servers import RecordingServer, Reply, Request, static_feed

FEED = b"<rss version='2.0'><channel><title>t</title></channel></rss>"


def run_fetch(url: str, **kw: Any) -> Any:
    async def go() -> Any:
        async with new_client(kw.get("limits")) as client:
            return await fetch(client, url, **kw)

    return asyncio.run(go())


def fetch_error(url: str, **kw: Any) -> FetchError:
    with pytest.raises(FetchError) as info:
        run_fetch(url, **kw)
    assert info.value.error_class in ERROR_CLASSES
    return info.value


def test_conditional_get_sends_validators_and_sees_304(http_server: RecordingServer) -> None:
    http_server.routes["/f"] = static_feed(FEED, '"v1"')
    first = run_fetch(http_server.url + "/f")
    assert first.status == 200 and first.body == FEED and first.etag == '"v1"'
    second = run_fetch(http_server.url + "/f", etag='"v1"')
    assert second.is_unchanged and second.body == b""
    assert http_server.requests[1].headers["if-none-match"] == '"v1"'
    assert "wirewatch" in http_server.requests[0].headers["user-agent"]


@pytest.mark.parametrize(
    ("coding", "encode"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda b: zlib.compress(b, wbits=-15)),
        ("br", brotli.compress),
    ],
)
def test_content_codings_are_decoded(
    http_server: RecordingServer, coding: str, encode: Any
) -> None:
    body = FEED * 100
    http_server.routes["/f"] = lambda req: Reply(200, encode(body), {"content-encoding": coding})
    assert run_fetch(http_server.url + "/f").body == body
    assert "br" in http_server.requests[0].headers["accept-encoding"]


def test_permanent_redirects_give_the_new_address(http_server: RecordingServer) -> None:
    http_server.routes["/old"] = lambda req: Reply(301, headers={"location": "/older"})
    http_server.routes["/older"] = lambda req: Reply(308, headers={"location": "/new"})
    http_server.routes["/new"] = static_feed(FEED, '"n"')
    got = run_fetch(http_server.url + "/old")
    assert got.body == FEED
    assert got.moved_to == got.final_url == http_server.url + "/new"


def test_a_temporary_redirect_keeps_the_address(http_server: RecordingServer) -> None:
    http_server.routes["/old"] = lambda req: Reply(301, headers={"location": "/moved"})
    http_server.routes["/moved"] = lambda req: Reply(302, headers={"location": "/new"})
    http_server.routes["/tmp"] = lambda req: Reply(307, headers={"location": "/new"})
    http_server.routes["/new"] = static_feed(FEED, '"n"')
    got = run_fetch(http_server.url + "/old")
    assert got.final_url == http_server.url + "/new"
    assert got.moved_to == http_server.url + "/moved"  # permanent up to the temporary hop
    assert run_fetch(http_server.url + "/tmp").moved_to is None


def test_redirects_are_capped(http_server: RecordingServer) -> None:
    http_server.routes["/a"] = lambda req: Reply(302, headers={"location": "/b"})
    http_server.routes["/b"] = lambda req: Reply(302, headers={"location": "/a"})
    e = fetch_error(http_server.url + "/a", limits=FetchLimits(max_redirects=3))
    assert e.error_class == "http_4xx" and "more than 3 redirects" in e.reason
    assert len(http_server.requests) == 4


@pytest.mark.parametrize(
    ("status", "error_class"), [(404, "http_4xx"), (410, "http_4xx"), (500, "http_5xx")]
)
def test_error_statuses_are_classified(
    http_server: RecordingServer, status: int, error_class: str
) -> None:
    http_server.routes["/f"] = lambda req: Reply(status, b"no")
    e = fetch_error(http_server.url + "/f")
    assert (e.error_class, e.status, e.retry_after_s) == (error_class, status, None)


def test_retry_after_is_carried(http_server: RecordingServer) -> None:
    http_server.routes["/f"] = lambda req: Reply(429, headers={"retry-after": "120"})
    e = fetch_error(http_server.url + "/f")
    assert (e.status, e.retry_after_s) == (429, 120.0)


def test_connection_refused_is_connect() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound but not listening: refused
        e = fetch_error(f"http://127.0.0.1:{port}/f")
    assert e.error_class == "connect"


def test_tls_to_a_plain_http_server_is_tls(http_server: RecordingServer) -> None:
    e = fetch_error(http_server.url.replace("http://", "https://") + "/f")
    assert e.error_class == "tls"


def test_dns_failures_are_classified_from_the_cause() -> None:
    # A resolver failure cannot be produced on loopback without touching DNS: build the chain.
    err = httpx.ConnectError("[Errno -2] Name or service not known")
    err.__cause__ = socket.gaierror(-2, "Name or service not known")
    assert classify(err)[0] == "dns"
    tls = httpx.ConnectError("handshake")
    tls.__cause__ = ssl.SSLError(1, "wrong version number")
    assert classify(tls)[0] == "tls"
    assert classify(httpx.ReadTimeout("slow"))[0] == "timeout"


def test_proxies_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Request] = []
    proxy = RecordingServer().start()
    # A proxy is asked for the absolute URL.
    proxy.routes["http://feeds.example.invalid/f"] = lambda req: (
        seen.append(req),
        Reply(200, FEED),
    )[1]
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    try:
        # The proxy gets the absolute URL of a host that does not exist here.
        got = run_fetch("http://feeds.example.invalid/f")
    finally:
        proxy.stop()
    assert got.body == FEED
    assert seen and seen[0].headers["host"] == "feeds.example.invalid"


def test_retry_after_and_freshness_headers() -> None:
    assert retry_after_s("30") == 30.0
    date = "Wed, 21 Oct 2026 07:28:00 GMT"
    assert retry_after_s("Wed, 21 Oct 2026 07:30:00 GMT", date) == 120.0
    assert retry_after_s("soon") is None
    assert fresh_for_s(httpx.Headers({"cache-control": "public, max-age=600"})) == 600.0
    assert fresh_for_s(httpx.Headers({"cache-control": "no-cache, max-age=600"})) is None
    expires = {"date": date, "expires": "Wed, 21 Oct 2026 08:28:00 GMT"}
    assert fresh_for_s(httpx.Headers(expires)) == 3600.0
    assert fresh_for_s(httpx.Headers({})) is None


def test_local_files_are_read(tmp_path: Any) -> None:
    path = tmp_path / "f.xml"
    path.write_bytes(FEED)
    assert run_fetch(str(path)).body == FEED
    assert fetch_error(str(tmp_path / "missing.xml")).error_class == "http_4xx"
