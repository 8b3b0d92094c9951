"""A real headless Chromium (Debian's `chromium`) clicks through the console over the
DevTools protocol: overview -> story -> rule tester -> verdict. Charts must have
drawn, no console error (CSP violations included) may be logged, and a screenshot
of each step is saved under the test's tmp folder.

Skipped when chromium is absent, except under CI (CI=true), where it fails.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from daemon.web.app import ConsoleSettings, build_app
from daemon.web.serve import AppServer, bind
from tests.support.required import missing
from tests.web.conftest import NOW, RULES, SEED_TEXT, Seeded

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
    "--window-size=1280,900",
]


class Cdp:
    """One DevTools session on a page: commands, and the events seen so far."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.events: list[dict[str, Any]] = []
        self._id = 0

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        self._id += 1
        self.ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv(timeout=30))
            if msg.get("id") == self._id:
                assert "error" not in msg, msg
                return dict(msg.get("result", {}))
            self.events.append(msg)

    def wait_event(self, method: str, timeout_s: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            msg = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            self.events.append(msg)
            if msg.get("method") == method:
                return msg
        raise AssertionError(f"no {method} within {timeout_s}s")

    def js(self, expression: str) -> Any:
        r = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        assert "exceptionDetails" not in r, r
        return r["result"].get("value")

    def act_and_load(self, expression: str) -> None:
        self.js(expression)
        self.wait_event("Page.loadEventFired")

    def errors(self) -> list[dict[str, Any]]:
        bad = []
        for e in self.events:
            m, p = e.get("method"), e.get("params", {})
            if (
                m == "Runtime.exceptionThrown"
                or (m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"))
                or (m == "Log.entryAdded" and p["entry"]["level"] == "error")
            ):
                bad.append(e)
        return bad


@pytest.fixture
def console_url(fresh: Seeded) -> Iterator[str]:
    settings = ConsoleSettings(
        store=fresh.target, rules=lambda: fresh.rules, rule_paths=lambda: (RULES,), now=lambda: NOW
    )
    sock = bind("127.0.0.1", 0)
    server = AppServer(build_app(settings), sock)
    server.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/"
    server.stop()


@pytest.fixture
def chromium(tmp_path: Path) -> Iterator[Cdp]:
    if CHROMIUM is None:
        missing("chromium is not installed (make system-deps installs it)")
    proc = subprocess.Popen(
        [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        port = None
        deadline = time.monotonic() + 60
        while port is None and time.monotonic() < deadline:
            line = proc.stderr.readline()
            if found := re.search(r"DevTools listening on ws://127\.0\.0\.1:(\d+)/", line):
                port = int(found.group(1))
            elif not line and proc.poll() is not None:
                raise AssertionError(f"chromium exited with {proc.returncode}")
        assert port, "chromium never opened its DevTools port"
        import urllib.request

        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
            pages = [t for t in json.load(r) if t["type"] == "page"]
        from websockets.sync.client import connect

        with connect(pages[0]["webSocketDebuggerUrl"], max_size=50_000_000) as ws:
            cdp = Cdp(ws)
            for domain in ("Page", "Runtime", "Log"):
                cdp.send(f"{domain}.enable")
            yield cdp
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()


def shot(cdp: Cdp, folder: Path, name: str) -> Path:
    data = cdp.send("Page.captureScreenshot", format="png")["data"]
    path = folder / f"{name}.png"
    path.write_bytes(base64.b64decode(data))
    assert path.stat().st_size > 5000
    return path


@pytest.mark.slow
def test_click_through_overview_story_tester_verdict(
    chromium: Cdp, console_url: str, tmp_path: Path
) -> None:
    cdp = chromium
    cdp.send("Page.navigate", url=console_url)
    cdp.wait_event("Page.loadEventFired")
    # charts drew: each SVG has a size on the page and at least one line in it
    sizes = cdp.js(
        "Array.from(document.querySelectorAll('svg.chart')).map(s => "
        "[s.getBoundingClientRect().width, s.querySelectorAll('polyline').length])"
    )
    assert len(sizes) == 3 and all(w > 100 and n >= 1 for w, n in sizes), sizes
    assert cdp.js("document.querySelector('a[href=\"/hits.atom\"]') !== null")
    shot(cdp, tmp_path, "1-overview")

    cdp.act_and_load("document.querySelector('a.story').click()")
    assert cdp.js("location.pathname").startswith("/stories/")
    assert cdp.js("document.querySelectorAll('mark').length") >= 2
    assert "<script>" not in cdp.js("document.title")
    shot(cdp, tmp_path, "2-story")

    cdp.act_and_load("document.querySelector('nav a[href=\"/tester\"]').click()")
    cdp.js(f"document.querySelector('textarea[name=text]').value = {json.dumps(SEED_TEXT)}")
    cdp.act_and_load("document.getElementById('run-test').click()")
    assert "FIRES russia-north-korea" in cdp.js("document.body.innerText")
    shot(cdp, tmp_path, "3-tester")

    cdp.act_and_load("document.querySelector('nav a[href=\"/hits\"]').click()")
    first = cdp.js("document.querySelector('tr.hit').dataset.hit")
    for key in ("j", "i"):  # one keystroke marks the selected hit irrelevant
        cdp.send("Input.dispatchKeyEvent", type="keyDown", key=key, text=key)
        if key == "j":
            cdp.send("Input.dispatchKeyEvent", type="keyUp", key=key)
    cdp.wait_event("Page.loadEventFired")
    chosen = cdp.js(
        f"document.querySelector('tr.hit[data-hit=\"{first}\"] button.chosen').textContent"
    )
    assert chosen == "irrelevant"
    shot(cdp, tmp_path, "4-verdict")
    assert cdp.errors() == []
