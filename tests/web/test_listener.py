"""The `http:` listener: the console beside /metrics and /healthz in a running daemon,
and its connection limits (slowloris, cap)."""

from __future__ import annotations

import socket
import threading
import time
import urllib.request
from pathlib import Path

import feedparser
import pytest

from daemon.runtime.metrics import Metrics, MetricsServer
from daemon.web.serve import Limits
from tests.conftest import SEEDS
from tests.support.service import Daemon


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.status, r.read().decode()


def test_idle_sockets_are_closed_and_capped_without_a_thread_each() -> None:
    server = MetricsServer(
        "127.0.0.1:0", Metrics(), lambda: None, limits=Limits(50, header_timeout_s=1.0)
    )
    server.start()
    threads_before = threading.active_count()
    idle = []
    try:
        for _ in range(1000):
            s = socket.create_connection(("127.0.0.1", int(server.address.rsplit(":", 1)[1])))
            s.setblocking(True)
            s.settimeout(15)
            idle.append(s)
        s = idle[0]
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # headers never finished
        assert threading.active_count() == threads_before  # no thread per connection
        started = time.monotonic()
        closed = 0
        for s in idle:
            try:
                closed += s.recv(1) == b""
            except ConnectionResetError:
                closed += 1
        assert closed == 1000  # every idle socket was closed by the server
        assert time.monotonic() - started < 12
        assert get(f"http://{server.address}/healthz") == (200, "ok\n")
    finally:
        for s in idle:
            s.close()
        server.stop()


@pytest.mark.slow
def test_the_daemon_serves_the_console_with_the_seed_hit(tmp_path: Path) -> None:
    cfg = tmp_path / "wirewatch.yaml"
    cfg.write_text(
        f"store: {tmp_path / 'w.db'}\nrules: [{SEEDS.parent / 'rules' / 'watches'}]\n"
        f"feeds: [{{url: {SEEDS / 'feed.xml'}}}]\nhttp: {{listen: '127.0.0.1:0'}}\n",
        encoding="utf-8",
    )
    with Daemon(cfg, {}, tmp_path / "out.txt") as d:
        line = d.wait_log("console at http://127.0.0.1:", timeout_s=120)
        url = line.split("console at ")[1].split()[0]
        d.wait_log("alert sent", timeout_s=120)
        status, html = get(url)
        assert status == 200
        assert "Putin" in html and "russia-north-korea" in html
        assert '<svg class="chart"' in html and "<polyline" in html
        assert 'href="/stories/1"' in html and 'href="/hits.atom"' in html
        story = get(url + "stories/1")[1]
        assert "<mark>" in story
        feed = feedparser.parse(get(url + "hits.atom")[1].encode())
        assert next(e.title for e in feed.entries).startswith("[russia-north-korea] ")
        assert get(url + "metrics")[1].count("wirewatch_polls_total") >= 1
        assert get(url + "healthz") == (200, "ok\n")
