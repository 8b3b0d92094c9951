"""What the log and the machine-readable output say about a feed: no credentials, no
forged lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.kit import item, json_feed, run_once, write_config
from tests.support.cli import wirewatch
from tests.support.servers import RecordingServer, Reply

pytestmark = pytest.mark.slow

FORGED = "ERROR daemon.alerts.worker: delivery dead id=1 channel=ops reason=forged"


def test_feed_credentials_never_show_and_article_urls_cannot_forge_log_lines(
    tmp_path: Path, http_server: RecordingServer
) -> None:
    feed = json_feed(item(1, "Kim", url=f"https://news.example.org/1\n{FORGED}\r\n{FORGED}"))
    http_server.routes["/feed.json"] = lambda req: Reply(
        200, feed, {"content-type": "application/json"}
    )
    host = http_server.url.removeprefix("http://")
    cfg = write_config(tmp_path, f"http://reader:s3cret-feed-pw@{host}/feed.json", " {}")
    result = run_once(cfg)
    assert result.returncode == 0, result.stderr
    assert http_server.requests[0].headers["authorization"].startswith("Basic ")
    lines = result.stderr.splitlines()
    assert not [line for line in lines if line.startswith("ERROR")], result.stderr
    assert any("1\\nERROR daemon.alerts.worker" in line for line in lines), result.stderr
    assert "s3cret-feed-pw" not in result.stderr
    assert "reader:" not in result.stderr
    for args in (["status", "--json"], ["feeds", "--json"], ["feeds"]):
        out = wirewatch(*args, "--config", str(cfg))
        assert out.returncode == 0, out.stderr
        assert "s3cret-feed-pw" not in out.stdout + out.stderr, args
        assert "***@" in out.stdout, (args, out.stdout)
