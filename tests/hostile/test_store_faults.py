"""The store at start: another daemon, a lock held by someone else, a corrupt file —
each a clear message and exit 1, never a traceback; PostgreSQL keeps several daemons."""

from __future__ import annotations

import signal
import sqlite3
import time
from pathlib import Path

import pytest

from tests.hostile.kit import db_path, item, json_feed, run_once, start_daemon, write_config
from tests.support.cli import wirewatch
from tests.support.servers import RecordingServer, Reply

pytestmark = pytest.mark.slow


def config(tmp_path: Path, server: RecordingServer) -> Path:
    body = json_feed(item(1, "Kim"))
    server.routes["/feed.json"] = lambda req: Reply(200, body, {"content-type": "application/json"})
    return write_config(tmp_path, f"{server.url}/feed.json", " {}", extra="poll:\n  tick: 1s\n")


def test_a_second_daemon_on_one_sqlite_store_refuses_to_start(
    tmp_path: Path, http_server: RecordingServer
) -> None:
    cfg = config(tmp_path, http_server)
    first = start_daemon(cfg)
    try:
        assert first.stderr is not None
        for line in first.stderr:  # wait until it runs (it took the lock before that)
            if "running feeds=" in line:
                break
        second = run_once(cfg)
        assert second.returncode == 1
        assert "another wirewatch daemon (pid " in second.stderr
        assert "Traceback" not in second.stderr
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=30)
    # The lock went with the process: the next one starts.
    third = run_once(cfg)
    assert third.returncode == 0, third.stderr


def test_a_locked_database_at_start_is_a_message(
    tmp_path: Path, http_server: RecordingServer
) -> None:
    cfg = config(tmp_path, http_server)
    assert run_once(cfg).returncode == 0
    holder = sqlite3.connect(db_path(cfg), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        result = run_once(cfg)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.returncode == 1
    assert result.stderr.strip().endswith("cannot open the store: database is locked"), (
        result.stderr
    )
    assert "Traceback" not in result.stderr
    assert time.monotonic() - started < 30


@pytest.mark.parametrize("damage", ["garbage", "torn-pages"])
def test_a_corrupt_database_at_start_is_a_message(
    tmp_path: Path, http_server: RecordingServer, damage: str
) -> None:
    cfg = config(tmp_path, http_server)
    assert run_once(cfg).returncode == 0
    db = db_path(cfg)
    for extra in (Path(f"{db}-wal"), Path(f"{db}-shm")):
        extra.unlink(missing_ok=True)
    data = bytearray(db.read_bytes())
    if damage == "garbage":
        data = bytearray(b"garbage" * 1000)
    else:
        for i in range(2 * 4096, len(data), 4096):
            data[i : i + 200] = b"\xff" * 200
    db.write_bytes(bytes(data))
    result = wirewatch("status", "--config", str(cfg))
    ran = run_once(cfg)
    for r in (result, ran):
        assert r.returncode == 1
        assert "cannot open the store:" in r.stderr, r.stderr
        assert "Traceback" not in r.stderr
