"""A slow receiver keeps the delivery job busy for many ticks: the log says so at most
once a minute, not once a tick."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from tests.hostile.kit import item, json_feed, start_daemon, write_config
from tests.support.servers import RecordingServer, Reply

pytestmark = pytest.mark.slow


def test_a_slow_receiver_does_not_log_once_per_tick(
    tmp_path: Path, http_server: RecordingServer
) -> None:
    body = json_feed(*(item(i, f"Kim {i}") for i in range(4)))
    http_server.routes["/feed.json"] = lambda req: Reply(
        200, body, {"content-type": "application/json"}
    )

    calls = []

    def slow(req: object) -> Reply:
        calls.append(req)
        if len(calls) == 1:  # the first attempt fails: the retries are the delivery job's
            return Reply(503)
        time.sleep(1.5)  # over a tick (1 s), under the channel's timeout: slow, not failing
        return Reply(204)

    http_server.routes["/hook"] = slow
    channels = f"  hook:\n    type: webhook\n    url: {http_server.url}/hook"
    # The retry a second after the 503, not the default five: the busy job is the point.
    extra = "http: null\ndelivery: {retry_schedule: [0, 1s, 5m]}\n"
    cfg = write_config(tmp_path, f"{http_server.url}/feed.json", channels, extra=extra)
    daemon = start_daemon(cfg)
    try:
        http_server.wait_for(6, timeout_s=60)  # the feed, a 503, four slow deliveries
    finally:
        daemon.send_signal(signal.SIGTERM)
        _, stderr = daemon.communicate(timeout=60)
    hooks = [r for r in http_server.requests if r.path == "/hook"]
    assert len(hooks) >= 5, stderr  # the job was busy through several ticks
    assert "maximum number of running instances" not in stderr
    assert stderr.count("job still running") <= 1, stderr
