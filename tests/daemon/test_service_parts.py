"""The service's parts on their own: sd_notify, journald logs, housekeeping, init/backup/status."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import socket
import sqlite3
import subprocess
import threading
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import BaseModel, SecretStr

from daemon.alerts.channels.webhook import WebhookSettings
from daemon.runtime.logs import JournalFormatter, Redactor, is_journal, secret_values
from daemon.runtime.metrics import HttpListenError, Metrics, MetricsServer
from daemon.runtime.systemd import Notifier, socket_address, watchdog_interval_s
from store import PollOutcome, open_store
from tests.conftest import ROOT, SEEDS
from tests.store.test_contract import NOW, article, hit
from tests.support.cli import wirewatch
from tests.support.spawn import command


def test_notify_sends_datagrams_to_a_path_socket(tmp_path: Path) -> None:
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(str(tmp_path / "n.sock"))
    n = Notifier({"NOTIFY_SOCKET": str(tmp_path / "n.sock")})
    assert n.is_enabled and n.status("feeds=1")
    assert server.recv(4096) == b"STATUS=feeds=1"
    assert n.reloading()
    lines = server.recv(4096).decode().splitlines()
    assert lines[0] == "RELOADING=1" and lines[1].startswith("MONOTONIC_USEC=")
    n.close()
    server.close()


def test_without_notify_socket_nothing_is_sent() -> None:
    n = Notifier({})
    assert not n.is_enabled
    assert n.ready("x") is False and n.watchdog() is False


def test_notify_addresses_and_watchdog_interval() -> None:
    assert socket_address("@wirewatch") == "\0wirewatch"
    assert socket_address("/run/systemd/notify") == "/run/systemd/notify"
    assert socket_address("vsock:2:1") is None
    assert watchdog_interval_s({"WATCHDOG_USEC": "30000000"}) == 15.0
    assert watchdog_interval_s({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}) is None
    assert watchdog_interval_s({"WATCHDOG_USEC": "x"}) is None


def test_journal_lines_carry_priority_prefixes() -> None:
    fmt = JournalFormatter()
    rec = logging.LogRecord(
        "daemon.x", logging.WARNING, "", 0, "fetch failed feed=%s", ("u",), None
    )
    assert fmt.format(rec) == "<4>daemon.x: fetch failed feed=u"
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        exc = sys.exc_info()
    rec = logging.LogRecord("d", logging.ERROR, "", 0, "crashed", (), exc)
    assert all(line.startswith("<3>") for line in fmt.format(rec).splitlines())


def test_journal_stream_is_recognised_by_device_and_inode(tmp_path: Path) -> None:
    with (tmp_path / "log").open("w") as f:
        st = os.fstat(f.fileno())
        assert is_journal(f, {"JOURNAL_STREAM": f"{st.st_dev}:{st.st_ino}"})
        assert not is_journal(f, {"JOURNAL_STREAM": "1:2"})
        assert not is_journal(f, {})


def test_secrets_never_reach_the_log() -> None:
    settings = WebhookSettings(url="https://hooks.example.org/T0KEN-s3cret")  # type: ignore[arg-type]
    redactor = Redactor()
    redactor.add(secret_values([settings]))
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(redactor)
    log = logging.getLogger("test.redact")
    log.addHandler(handler)
    try:
        log.error("send failed url=%s", "https://hooks.example.org/T0KEN-s3cret")
        try:
            raise RuntimeError("POST https://hooks.example.org/T0KEN-s3cret refused")
        except RuntimeError:
            log.exception("crashed")
    finally:
        log.removeHandler(handler)
    assert "T0KEN" not in out.getvalue()
    assert "send failed url=***" in out.getvalue()


class _Settings(BaseModel):
    url: str
    password: SecretStr
    url_file: str
    token_env: str
    verify_tls: bool
    name: str


def test_secret_values_are_the_secrets_not_where_they_are_kept() -> None:
    settings = _Settings(
        url="https://hooks.example.org/abcdefgh",
        password=SecretStr("hunter2hunter2"),
        url_file="/run/credentials/wirewatch.service/url",
        token_env="WIREWATCH_TOKEN",
        verify_tls=True,
        name="operations",
    )
    assert secret_values([settings]) == {"https://hooks.example.org/abcdefgh", "hunter2hunter2"}


def test_retention_keeps_hits_and_their_evidence(tmp_path: Path) -> None:
    store = open_store(tmp_path / "w.db")
    store.record_article(article(1), [(hit("a1"), ["console"])], NOW - timedelta(days=100))
    store.record_article(article(2), [], NOW - timedelta(days=100))
    store.record_article(article(3), [], NOW)
    pruned = store.prune_articles(NOW - timedelta(days=90))
    assert (pruned.deleted, pruned.emptied) == (1, 1)
    assert store.known_articles(["a1", "a2", "a3"]) == {"a1", "a3"}
    (h,) = store.hits()
    assert h.article_title == "Title 1" and h.article_url == "https://x.example/1"
    assert h.evidence[0].text == "Putin und Kim."
    text = store.db.execute("SELECT text FROM articles WHERE id = 'a1'").fetchone()
    assert text == (None,)
    assert store.prune_articles(NOW - timedelta(days=90)) == type(pruned)(0, 0)


def test_retention_goes_in_batches(tmp_path: Path) -> None:
    store = open_store(tmp_path / "w.db")
    for n in range(5):
        store.record_article(article(n), [], NOW - timedelta(days=100))
    sizes = []
    while (batch := store.prune_articles(NOW - timedelta(days=90), limit=2)).deleted:
        sizes.append(batch.deleted)
    assert sizes == [2, 2, 1]
    assert store.known_articles([f"a{n}" for n in range(5)]) == set()


def test_release_claims_and_stats(tmp_path: Path) -> None:
    store = open_store(tmp_path / "w.db")
    store.record_article(article(1), [(hit("a1"), ["console", "hook"])], NOW)
    assert len(store.claim_deliveries(NOW)) == 2
    assert store.claim_deliveries(NOW) == []
    assert store.release_claims(NOW) == 2
    assert len(store.claim_deliveries(NOW)) == 2
    stats = store.stats()
    assert stats.hits_by_watch == {"russia-north-korea": 1}
    assert stats.pending == 2 and stats.articles == 1
    assert stats.deliveries == {("console", "pending"): 1, ("hook", "pending"): 1}
    store.mark_sent(1, NOW + timedelta(seconds=3))
    after, sent = store.sent_since("")
    assert sent == [("console", 3.0)]
    assert store.sent_since(after) == (after, [])


def test_probe_writable_names_the_reason(tmp_path: Path) -> None:
    store = open_store(tmp_path / "w.db")
    assert store.probe_writable() is None
    locker = sqlite3.connect(tmp_path / "w.db", isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    assert store.probe_writable() == "database is locked"
    locker.execute("ROLLBACK")
    locker.close()
    assert store.probe_writable() is None


@pytest.mark.slow
def test_backup_is_a_consistent_copy_via_the_cli(tmp_path: Path) -> None:
    db = tmp_path / "live.db"
    store = open_store(db)
    store.record_article(article(1), [(hit("a1"), ["console"])], datetime.now(UTC))
    store.sync_feeds([("http://127.0.0.1:9/gone.xml", 900)], NOW)
    failed = PollOutcome(NOW, False, NOW, error_class="http_status", error="HTTP 410")
    store.record_poll("http://127.0.0.1:9/gone.xml", failed)
    store.close()
    out = wirewatch("backup", "--db", str(db), str(tmp_path / "b" / "copy.db"))
    assert out.returncode == 0, out.stderr
    copy = sqlite3.connect(tmp_path / "b" / "copy.db")
    assert copy.execute("SELECT count(*) FROM hits").fetchone() == (1,)
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    copy.close()
    status = wirewatch("status", "--db", str(db), "--json")
    assert status.returncode == 0, status.stderr
    doc = json.loads(status.stdout)
    assert doc["hits"] == {"total": 1, "by_watch": {"russia-north-korea": 1}}
    assert doc["outbox"] == {"pending": 1, "sent": 0, "dead": 0}
    text = wirewatch("status", "--db", str(db))
    assert "hits: 1" in text.stdout and "Title 1" in text.stdout
    assert (
        "FAILING http://127.0.0.1:9/gone.xml [http_status] 1 failures, last ok never: HTTP 410"
        in text.stdout
    )
    itself = wirewatch("backup", "--db", str(db), str(db))
    assert (itself.returncode, itself.stderr.strip()) == (
        1,
        f"{db}: is the live database; choose another path",
    )


@pytest.mark.slow
def test_init_writes_a_config_that_checks_and_refuses_to_overwrite(tmp_path: Path) -> None:
    folder = tmp_path / "etc"
    first = wirewatch("init", str(folder))
    assert first.returncode == 0, first.stderr
    check = wirewatch("check", "--config", str(folder / "wirewatch.yaml"))
    assert check.returncode == 0, check.stderr
    assert "1 watches, 1 feeds, 1 channels" in check.stdout
    again = wirewatch("init", str(folder))
    assert again.returncode == 1
    assert again.stderr.strip() == (
        f"{folder / 'wirewatch.yaml'}, {folder / 'rules.d' / 'watches.yaml'}: "
        "already exists; use --force to overwrite"
    )
    assert wirewatch("init", "--force", str(folder)).returncode == 0


@pytest.mark.parametrize("listen", ["localhost", "127.0.0.1:port"])
@pytest.mark.slow
def test_bad_http_listen_names_file_line(tmp_path: Path, listen: str) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text(f"http:\n  listen: '{listen}'\n", encoding="utf-8")
    out = wirewatch("check", "--config", str(cfg))
    assert out.returncode == 1
    assert out.stderr.startswith(f"{cfg}:2:11: ")


@pytest.mark.slow
def test_a_taken_port_fails_before_ready_with_a_clear_message(tmp_path: Path) -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    cfg = tmp_path / "c.yaml"
    cfg.write_text(
        f"feeds: [{{url: {SEEDS / 'feed.xml'}}}]\nhttp: {{listen: '127.0.0.1:{port}'}}\n",
        encoding="utf-8",
    )
    out = wirewatch("run", "--config", str(cfg), "--db", str(tmp_path / "w.db"))
    taken.close()
    assert out.returncode == 1
    assert f"http.listen 127.0.0.1:{port}: " in out.stderr
    assert "(change http.listen, or http: null)" in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.slow
def test_under_journald_every_line_has_a_priority_and_no_timestamp(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    st = os.fstat(write_end)
    env = {**os.environ, "JOURNAL_STREAM": f"{st.st_dev}:{st.st_ino}"}
    env["WIREWATCH_LOG_LEVEL"] = "INFO"
    env.pop("WIREWATCH_CONFIG", None)
    with os.fdopen(read_end) as reader:
        proc = subprocess.Popen(
            command("run", "--once", "--db", str(tmp_path / "w.db")),
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=write_end,
        )
        os.close(write_end)
        lines = reader.read().splitlines()
    assert proc.wait(120) == 0
    seed = "https://news.example.org/politik/putin-kim-telefonat"
    assert f"<6>daemon.poll.pipeline: hit watch=russia-north-korea article={seed}" in lines
    assert lines and all(re.match(r"<[2-7]>[\w.]+: ", line) for line in lines)


def test_endpoint_listens_on_ipv6_and_says_where_to_look() -> None:
    try:
        server = MetricsServer("[::1]:0", Metrics(), lambda: None)
    except HttpListenError:
        pytest.skip("no IPv6 loopback here")
    server.start()
    try:
        assert server.address.startswith("[::1]:")
        with urllib.request.urlopen(f"http://{server.address}/healthz", timeout=10) as r:
            assert r.read() == b"ok\n"
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(f"http://{server.address}/", timeout=10)
        assert e.value.code == 404
        e.value.close()
    finally:
        server.stop()


def test_backup_completes_while_another_process_keeps_writing(tmp_path: Path) -> None:
    live = tmp_path / "live.db"
    store = open_store(live)
    for n in range(300):
        store.record_article(article(n), [], NOW)
    stop = threading.Event()

    def keep_writing() -> None:
        conn = sqlite3.connect(live, timeout=30, isolation_level=None)
        n = 1000
        while not stop.is_set():
            conn.execute(
                "INSERT INTO articles (id, feed_url, fetched_at, text) VALUES (?, 'f', ?, ?)",
                [f"w{n}", "2026-01-01", "x" * 2000],
            )
            n += 1
        conn.close()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        store.backup(tmp_path / "copy.db")
    finally:
        stop.set()
        writer.join()
    copy = sqlite3.connect(tmp_path / "copy.db")
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    (copied,) = copy.execute("SELECT count(*) FROM articles").fetchone()
    copy.close()
    assert 300 <= copied <= store.stats().articles
    store.close()
