"""/healthz while every store write fails (a full disk): 503 with the reason, and 200
again once a write succeeds.

The disk is made full for the daemon's own connection with SQLite's
max_page_count: the writes fail with SQLITE_FULL ("database or disk is full"),
the error a full disk gives, on the real code path.
"""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from daemon.config import load_config
from daemon.runtime.loop import Runner
from daemon.runtime.service import Service
from daemon.runtime.systemd import Notifier
from tests.hostile.kit import SEED_HTML, item, json_feed, write_config
from tests.support.net import free_port
from tests.support.servers import RecordingServer, Reply

pytestmark = pytest.mark.slow


def healthz(port: int) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_healthz_reports_that_store_writes_fail(
    tmp_path: Path, http_server: RecordingServer
) -> None:
    feeds = {"body": json_feed(item(1, "Kim"))}
    http_server.routes["/feed.json"] = lambda req: Reply(
        200, feeds["body"], {"content-type": "application/json"}
    )
    port = free_port()
    cfg = write_config(
        tmp_path,
        f"{http_server.url}/feed.json",
        " {}",
        extra=f"http:\n  listen: 127.0.0.1:{port}\n",
    )

    async def go() -> list[tuple[int, str]]:
        service = Service(load_config(cfg))
        runner = Runner(service, reload=None, notifier=Notifier({}), grace_s=1.0)
        seen = []
        try:
            runner.start()
            await service.poll_all()
            seen.append(await asyncio.to_thread(healthz, port))
            db = service.store.db
            (pages,) = db.execute("PRAGMA page_count").fetchone()
            db.execute(f"PRAGMA max_page_count = {pages}")  # the disk is full
            feeds["body"] = json_feed(
                *(item(i, f"Kim {i}", html=SEED_HTML * 3) for i in range(2, 30))
            )
            await service.poll_all()
            seen.append(await asyncio.to_thread(healthz, port))
            db.execute(f"PRAGMA max_page_count = {pages * 100}")  # space again
            await service.poll_all()
            seen.append(await asyncio.to_thread(healthz, port))
        finally:
            await runner.stop()
            await service.aclose()
        return seen

    ok, full, again = asyncio.run(go())
    assert ok == (200, "ok\n")
    assert full[0] == 503 and "store write failed" in full[1] and "full" in full[1], full
    assert again == (200, "ok\n")
