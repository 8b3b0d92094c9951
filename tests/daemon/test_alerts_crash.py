"""kill -9 of the daemon at random points while it delivers 500 alerts: none is lost."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from standardwebhooks.webhooks import Webhook

from daemon.alerts.channels.webhook import WebhookChannel, WebhookSettings
from daemon.alerts.worker import deliver_due
from store import open_store
from tests.support.alerts import record
from tests.support.cli import ROOT
from tests.support.servers import RecordingServer, Reply, Request
from tests.support.spawn import command

pytestmark = pytest.mark.slow  # every test here starts wirewatch in a process

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
TOTAL = 500
KILLS = 5


def start_daemon(cfg: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "WIREWATCH_LOG_LEVEL": "WARNING", "HOOK_SECRET": SECRET}
    env.pop("WIREWATCH_CONFIG", None)
    return subprocess.Popen(
        command("run", "--config", str(cfg)),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_kill_9_at_random_points_loses_no_alert(
    tmp_path: Path, http_server: RecordingServer
) -> None:
    rng = random.Random(4)
    store = open_store(tmp_path / "w.db")
    record(store, TOTAL, ["hook"])
    keys = {j.idempotency_key for j in store.outbox(limit=TOTAL)}
    store.close()
    cfg = tmp_path / "wirewatch.yaml"
    cfg.write_text(
        f"""store: w.db
channels:
  hook: {{type: webhook, url: "{http_server.url}/hook", secret_env: HOOK_SECRET}}
delivery: {{lease: 1s, retry_schedule: [0, 100ms, 200ms, 500ms, 1s, 1s, 1s, 1s, 1s, 1s]}}
http: null
""",
        encoding="utf-8",
    )
    # Kill points: some while the daemon waits for a reply (that alert must be repeated),
    # some right after a reply (the daemon may or may not have recorded it as sent).
    points = sorted(rng.sample(range(20, TOTAL - 20), KILLS))
    in_flight = {p for p in points if rng.random() < 0.5}
    daemon: list[subprocess.Popen[bytes]] = []
    killed = threading.Event()
    seen = 0

    def hook(req: Request) -> Reply:
        nonlocal seen
        seen += 1
        if seen in points:
            if seen in in_flight:
                os.kill(daemon[-1].pid, signal.SIGKILL)
            killed.set()
        return Reply(200)

    http_server.routes["/hook"] = hook
    for _ in range(KILLS):
        daemon.append(start_daemon(cfg))
        assert killed.wait(60), f"the daemon delivered nothing (exit {daemon[-1].poll()})"
        killed.clear()
        daemon[-1].kill()  # no-op if the receiver already killed it
        daemon[-1].wait()
    daemon.append(start_daemon(cfg))
    try:
        verifier = Webhook(SECRET)

        def delivered() -> set[str]:
            return {r.headers["webhook-id"] for r in http_server.requests}

        with http_server.received:
            http_server.received.wait_for(lambda: keys <= delivered(), 60)
    finally:
        daemon[-1].terminate()
        assert daemon[-1].wait(30) == 0
    # The last daemon may have been stopped between a reply and recording it: drain what is
    # left, as the next start would (leases long expired).
    store = open_store(tmp_path / "w.db")
    ch = WebhookChannel(
        "hook", WebhookSettings.model_validate({"url": f"{http_server.url}/hook", "secret": SECRET})
    )
    later = datetime.now(UTC) + timedelta(minutes=5)
    asyncio.run(deliver_due(store, {"hook": ch}, lambda: later))
    asyncio.run(ch.aclose())
    assert {j.status for j in store.outbox(limit=TOTAL)} == {"sent"}
    assert delivered() == keys
    bodies: dict[str, bytes] = {}
    for req in http_server.requests:
        payload = verifier.verify(req.body, req.headers)
        assert payload["id"] == req.headers["webhook-id"]
        assert bodies.setdefault(payload["id"], req.body) == req.body  # a repeat is identical
    repeats = len(http_server.requests) - TOTAL
    assert repeats >= len(in_flight)
