"""The real daemon under a test-owned notify socket: READY, WATCHDOG, reload, stop, health.

Every wait is on a socket message, a log line or an HTTP request, with a timeout.
"""

from __future__ import annotations

import json
import re
import signal
import sqlite3
import threading
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.support.cli import wirewatch
from tests.support.net import free_port
from tests.support.servers import RecordingServer, Reply
from tests.support.service import (
    FIXED_SCHEDULE,
    START_TIMEOUT_S,
    TOGETHER,
    Daemon,
    NotifySocket,
    write_config,
    write_feed,
    write_watch,
)

pytestmark = pytest.mark.slow  # every test here starts wirewatch in a process


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def held_webhook(
    tmp_path: Path, http_server: RecordingServer, alerts: int
) -> tuple[Path, threading.Event]:
    """A config whose `alerts` hits go to a webhook that answers only once released."""
    release = threading.Event()
    http_server.routes["/hook"] = lambda req: Reply(204) if release.wait(60) else Reply(500)
    (tmp_path / "rules.d").mkdir()
    write_watch(tmp_path / "rules.d" / "watch.yaml", "pair")
    write_feed(tmp_path / "feed.xml", [(f"n{i}", TOGETHER) for i in range(alerts)])
    hook = f"hook: {{type: webhook, url: '{http_server.url}/hook', timeout_s: 60}}"
    return write_config(tmp_path, channels=hook), release


def sigterm_while_in_flight(d: Daemon, http_server: RecordingServer) -> None:
    """Send SIGTERM once an alert is in flight; return when the daemon waits for it."""
    d.wait_log("running", timeout_s=START_TIMEOUT_S)
    http_server.wait_for(1, timeout_s=60)
    d.signal(signal.SIGTERM)
    d.wait_log("waiting for running jobs")


def test_ready_after_startup_watchdog_health_and_clean_stop(tmp_path: Path) -> None:
    (tmp_path / "rules.d").mkdir()
    write_watch(tmp_path / "rules.d" / "watch.yaml", "pair")
    write_feed(tmp_path / "feed.xml", [("one", TOGETHER)])
    addr = f"127.0.0.1:{free_port()}"
    cfg = write_config(tmp_path, http=f"{{listen: '{addr}'}}")
    notify = NotifySocket(f"@wirewatch-test-{uuid.uuid4().hex}")  # abstract namespace
    env = {"NOTIFY_SOCKET": notify.env_value, "WATCHDOG_USEC": "200000"}
    with notify, Daemon(cfg, env, tmp_path / "out.txt") as d:
        ready = notify.wait_for("READY", START_TIMEOUT_S)
        # Start-up work is done before READY: endpoint up, database migrated, feeds synced.
        assert get(f"http://{addr}/healthz") == (200, "ok\n")
        db = sqlite3.connect(tmp_path / "state" / "wirewatch.db")
        migrations = {r[0] for r in db.execute("SELECT name FROM _migrations")}
        db.close()
        assert "004_housekeeping" in migrations
        assert ready["MAINPID"] == str(d.proc.pid)
        assert ready["STATUS"].startswith("feeds=1 ")
        for _ in range(3):  # every 0.1 s, from the event loop
            notify.wait_for("WATCHDOG", 10)

        while "hits=1" not in notify.wait_for("STATUS")["STATUS"]:
            pass  # the numbers behind STATUS= and /metrics are published together
        status, metrics = get(f"http://{addr}/metrics")
        assert status == 200
        assert 'wirewatch_polls_total{error_class="",outcome="ok"}' in metrics
        assert 'wirewatch_hits_total{watch="pair"} 1.0' in metrics
        assert "wirewatch_articles_ingested_total 1.0" in metrics
        assert 'wirewatch_feeds{error_class="",status="ok"} 1.0' in metrics
        assert "wirewatch_poll_duration_seconds_bucket" in metrics

        # Another process holds the write lock: the daemon cannot write, and its
        # loop hangs in its next write (the feed is due every second), so the
        # watchdog pings stop: systemd would restart it.
        locker = sqlite3.connect(tmp_path / "state" / "wirewatch.db", isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")
        # The probe or the daemon's own failed write, whichever comes first, says so.
        status, body = get(f"http://{addr}/healthz")
        assert status == 503
        assert re.fullmatch(
            r"unhealthy: (store write failed at \S+Z: )?database is locked\n", body
        ), body
        with pytest.raises(TimeoutError):
            for _ in range(200):
                notify.wait_for("WATCHDOG", 2.0)
        locker.execute("ROLLBACK")
        notify.wait_for("WATCHDOG", 10)
        assert get(f"http://{addr}/healthz")[0] == 200
        # The file is moved away under the daemon (works as root, unlike chmod).
        path = tmp_path / "state" / "wirewatch.db"
        path.rename(path.with_suffix(".moved"))
        status, body = get(f"http://{addr}/healthz")
        assert (status, body) == (503, f"unhealthy: {path}: missing\n")
        path.with_suffix(".moved").rename(path)
        assert get(f"http://{addr}/healthz")[0] == 200

        d.signal(signal.SIGTERM)
        assert notify.wait_for("STOPPING")["STOPPING"] == "1"
        assert d.wait() == 0


def test_healthz_turns_503_when_the_database_file_is_made_read_only(tmp_path: Path) -> None:
    # chmod does not stop root: the daemon runs without CAP_DAC_OVERRIDE (as under
    # the unit's empty CapabilityBoundingSet=), so file modes bind it.
    (tmp_path / "rules.d").mkdir()
    write_watch(tmp_path / "rules.d" / "watch.yaml", "pair")
    write_feed(tmp_path / "feed.xml", [("one", TOGETHER)])
    cfg = write_config(tmp_path, http="{listen: '127.0.0.1:0'}")
    with Daemon(cfg, {}, tmp_path / "out.txt", drop_dac=True) as d:
        addr = d.wait_log("http listening", timeout_s=START_TIMEOUT_S).split("addr=")[1]
        healthz = f"http://{addr.split()[0]}/healthz"
        d.wait_log("feed polled")
        assert get(healthz)[0] == 200
        db = tmp_path / "state" / "wirewatch.db"
        db.chmod(0o444)
        assert get(healthz) == (503, f"unhealthy: {db}: not writable\n")
        db.chmod(0o644)
        assert get(healthz)[0] == 200
        d.signal(signal.SIGTERM)
        assert d.wait() == 0


def test_sighup_keeps_old_rules_on_error_and_applies_fixed_ones(tmp_path: Path) -> None:
    rules = tmp_path / "rules.d"
    rules.mkdir()
    write_watch(rules / "watch.yaml", "pair-v1")
    write_feed(tmp_path / "feed.xml", [("one", TOGETHER)])
    cfg = write_config(tmp_path)
    notify = NotifySocket(str(tmp_path / "notify.sock"))
    with notify, Daemon(cfg, {"NOTIFY_SOCKET": notify.env_value}, tmp_path / "out.txt") as d:
        notify.wait_for("READY", START_TIMEOUT_S)
        d.wait_log("hit watch=pair-v1 article=https://news.example.org/one")

        (rules / "watch.yaml").write_text(
            (rules / "watch.yaml").read_text().replace("scope:", "scpoe:")
        )
        mark = len(d.lines)
        d.signal(signal.SIGHUP)
        assert "MONOTONIC_USEC" in notify.wait_for("RELOADING")
        notify.wait_for("READY")
        line = d.wait_log("reload rejected", mark)
        assert f"{rules / 'watch.yaml'}:5:5: unknown key 'scpoe'" in line
        write_feed(tmp_path / "feed.xml", [("one", TOGETHER), ("two", TOGETHER)])
        d.wait_log("hit watch=pair-v1 article=https://news.example.org/two", mark)

        # Fixed rules and a second feed in the config: both take effect together.
        write_watch(rules / "watch.yaml", "pair-v2")
        write_feed(tmp_path / "feed2.xml", [("four", TOGETHER)])
        feed2 = f"  - {{url: feed2.xml, interval: 1s{FIXED_SCHEDULE}}}\n"
        cfg.write_text(cfg.read_text().replace("feeds:\n", "feeds:\n" + feed2))
        mark = len(d.lines)
        d.signal(signal.SIGHUP)
        notify.wait_for("RELOADING")
        assert notify.wait_for("READY")["STATUS"].startswith("feeds=2 ")
        d.wait_log("reloaded feeds=2 watches=1", mark)
        d.wait_log("hit watch=pair-v2 article=https://news.example.org/four", mark)
        write_feed(tmp_path / "feed.xml", [("two", TOGETHER), ("three", TOGETHER)])
        d.wait_log("hit watch=pair-v2 article=https://news.example.org/three", mark)
        assert d.proc.poll() is None  # no restart happened

        d.signal(signal.SIGTERM)
        assert d.wait() == 0


def test_sigterm_during_deliveries_loses_nothing(
    tmp_path: Path, http_server: RecordingServer
) -> None:
    cfg, release = held_webhook(tmp_path, http_server, 3)
    env = {"WIREWATCH_STOP_GRACE": "1s"}
    with Daemon(cfg, env, tmp_path / "out.txt") as d:
        d.wait_log("running", timeout_s=START_TIMEOUT_S)
        http_server.wait_for(1, timeout_s=60)
        d.signal(signal.SIGTERM)
        assert d.wait() == 0
        release.set()
        assert any("released claimed deliveries count=" in x for x in d.lines)

    db = sqlite3.connect(tmp_path / "state" / "wirewatch.db")
    rows = db.execute("SELECT status, claimed_until, idempotency_key FROM deliveries").fetchall()
    assert len(rows) == 3
    assert {(r[0], r[1]) for r in rows} == {("pending", None)}  # kept, and not leased

    http_server.routes["/hook"] = lambda req: Reply(204)
    again = wirewatch("run", "--once", "--config", str(cfg))
    assert again.returncode == 0, again.stderr
    assert db.execute("SELECT DISTINCT status FROM deliveries").fetchall() == [("sent",)]
    sent = {json.loads(r.body)["id"] for r in http_server.requests if r.path == "/hook"}
    assert sent == {r[2] for r in rows}


def test_a_second_sigterm_exits_at_once_and_the_outbox_keeps_everything(
    tmp_path: Path, http_server: RecordingServer
) -> None:
    cfg, release = held_webhook(tmp_path, http_server, 2)
    with Daemon(cfg, {"WIREWATCH_STOP_GRACE": "60s"}, tmp_path / "out.txt") as d:
        sigterm_while_in_flight(d, http_server)
        d.signal(signal.SIGTERM)
        assert d.wait() == 1  # long before the 60 s grace or the 60 s webhook timeout
        d.wait_log("second stop signal: exiting now")
    release.set()
    db = sqlite3.connect(tmp_path / "state" / "wirewatch.db")
    assert db.execute("SELECT status, count(*) FROM deliveries GROUP BY status").fetchall() == [
        ("pending", 2)
    ]
    db.close()


def test_sigterm_lets_an_in_flight_delivery_finish(
    tmp_path: Path, http_server: RecordingServer
) -> None:
    cfg, release = held_webhook(tmp_path, http_server, 3)
    with Daemon(cfg, {"WIREWATCH_STOP_GRACE": "60s"}, tmp_path / "out.txt") as d:
        sigterm_while_in_flight(d, http_server)
        release.set()  # the webhook answers within the grace period
        assert d.wait() == 0
    db = sqlite3.connect(tmp_path / "state" / "wirewatch.db")
    # The in-flight alert was sent; the rest of its claimed batch too, or handed back.
    rows = db.execute("SELECT status, claimed_until FROM deliveries ORDER BY id").fetchall()
    db.close()
    assert len(rows) == 3 and rows[0] == ("sent", None)
    assert all(r in {("sent", None), ("pending", None)} for r in rows)


def test_broken_rules_fail_the_start_without_ready(tmp_path: Path) -> None:
    (tmp_path / "rules.d").mkdir()
    rule = tmp_path / "rules.d" / "watch.yaml"
    write_watch(rule, "pair")
    rule.write_text(rule.read_text().replace("scope:", "scpoe:"))
    write_feed(tmp_path / "feed.xml", [("one", TOGETHER)])
    cfg = write_config(tmp_path)
    notify = NotifySocket(str(tmp_path / "notify.sock"))
    with notify, Daemon(cfg, {"NOTIFY_SOCKET": notify.env_value}, tmp_path / "out.txt") as d:
        assert d.wait(START_TIMEOUT_S) == 1
        d.wait_log(f"{rule}:5:5: unknown key 'scpoe'")
        with pytest.raises(TimeoutError):  # the process is gone: anything sent is queued
            notify.next(0.01)
