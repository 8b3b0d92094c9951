"""What an attacker's feed item can do to the people alerts reach: nothing.

Each test serves a hostile item on loopback, runs `wirewatch run --once` and
looks at what the real channel stand-in received.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from daemon.alerts.channels.base import Alert
from daemon.alerts.channels.console import BOLD, ConsoleChannel, ConsoleSettings
from store import open_store
from tests.daemon.test_alerts_email import Inbox
from tests.hostile.kit import db_path, has_control, item, json_feed, run_once, write_config
from tests.support.cli import wirewatch
from tests.support.net import free_port
from tests.support.servers import RecordingServer, Reply
from tests.support.slackpeer import SlackPeer

pytestmark = pytest.mark.slow

MENTIONS = "Russia and North Korea together: <!channel> <!here> <!everyone> <@U123ADMIN> @here"
ESCAPES = (
    "\x1b]0;owned\x07\x1b[2J\x1b]8;;https://evil.example/\x1b\\Kim\x1b]8;;\x1b\\ \u202eesrever"
)


def serve(server: RecordingServer, body: bytes) -> str:
    server.routes["/feed.json"] = lambda req: Reply(200, body, {"content-type": "application/json"})
    return f"{server.url}/feed.json"


def slack_channel(server: RecordingServer) -> str:
    return f"""  team:
    type: slack
    webhook_url: {server.url}/services/T0/B0/hook
    min_interval_s: 0"""


def test_a_feed_item_never_pings_a_slack_channel(
    tmp_path: Path, http_server: RecordingServer
) -> None:
    peer = SlackPeer(http_server, interval_s=0).install()
    feed = json_feed(
        item(1, MENTIONS, url="javascript:alert(1)"),
        item(2, "A | in the link", url="https://news.example.org/a|<!channel>"),
        item(3, "<http://evil.example|" + "x" * 10000, url="https://news.example.org/long"),
    )
    cfg = write_config(tmp_path, serve(http_server, feed), slack_channel(http_server))
    result = run_once(cfg)
    assert result.returncode == 0, result.stderr
    assert peer.messages, result.stderr
    for msg in peer.messages:
        raw = json.dumps(msg, ensure_ascii=False)
        for token in ("<!channel>", "<!here>", "<!everyone>", "<@U123ADMIN>", "javascript:"):
            assert token not in raw
        texts = [msg["text"]] + [
            b["text"]["text"] if "text" in b else b["elements"][0]["text"] for b in msg["blocks"]
        ]
        for text in texts:
            text = text.removeprefix("> ")  # a quote block's marker
            assert "@here" not in text  # defused with a word joiner
            # Every link that opens closes; its URL (up to the first `|`) is the whole URL.
            assert text.count("<") == text.count(">"), text
            for link in text.split("<")[1:]:
                target = link.split(">")[0]
                url = target.split("|", 1)[0]
                assert url.startswith("https://news.example.org/"), target
                assert "<" not in url and " " not in url, target


def test_terminal_escapes_never_reach_the_console(
    tmp_path: Path, http_server: RecordingServer
) -> None:
    feed = json_feed(item(1, ESCAPES, url="https://news.example.org/1\x1b[2J"))
    cfg = write_config(tmp_path, serve(http_server, feed), "  console:\n    type: console")
    result = run_once(cfg)
    assert result.returncode == 0, result.stderr
    assert "Kim" in result.stdout  # the alert was printed, cleaned
    assert not has_control(result.stdout.replace("\n", "")), repr(result.stdout[:300])
    assert not has_control(result.stderr.replace("\n", "")), repr(result.stderr[-300:])
    # The same text through every command that prints what feeds wrote.
    article = tmp_path / "article.txt"
    article.write_text(f"{ESCAPES}\nDer Kreml\x1b[2J und Pjöngjang, sagte Putin.", encoding="utf-8")
    shows = [["hits"], ["status"], ["feeds"], ["deliveries"], ["stories"], ["stories", "1"]]
    shows += [["hits", "--json"], ["stories", "1", "--json"]]
    for args in [*shows, ["match", str(article)], ["match", "--json", str(article)]]:
        if "match" not in args:
            args += ["--config", str(cfg)]
        out = wirewatch(*args)
        assert out.returncode == 0, (args, out.stderr)
        shown = out.stdout.replace("\n", "") + out.stderr.replace("\n", "")
        assert not has_control(shown), (args, repr(shown[:300]))
    hits = wirewatch("hits", "--config", str(cfg)).stdout
    assert "Kim" in hits and "owned" not in hits.split("Kim")[0][-20:]


def test_on_a_terminal_the_console_keeps_its_bold_and_drops_the_feeds_escapes(
    tmp_path: Path, http_server: RecordingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed = json_feed(item(1, ESCAPES, url="https://news.example.org/1\x1b[2J"))
    cfg = write_config(tmp_path, serve(http_server, feed), "  console:\n    type: console")
    assert run_once(cfg).returncode == 0
    store = open_store(db_path(cfg))
    try:
        [job] = store.outbox()
    finally:
        store.close()
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    leader, follower = os.openpty()  # a real terminal: the names are marked bold
    with open(follower, "w", encoding="utf-8") as tty, open(leader, "rb", buffering=0) as screen:
        asyncio.run(ConsoleChannel("c", ConsoleSettings(), out=tty).send(Alert.from_job(job)))
        shown = screen.read(65536).decode()
    assert f"{BOLD[0]}Putin{BOLD[1]}" in shown, repr(shown)
    ours = shown.replace(BOLD[0], "").replace(BOLD[1], "").replace("\r\n", "")
    assert "Kim" in ours and not has_control(ours), repr(ours)


def test_a_newline_in_a_title_does_not_hold_the_mail_channel(
    tmp_path: Path, http_server: RecordingServer
) -> None:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        feed = json_feed(
            item(1, "Putin\r\nBcc: victim@example.org\nand Kim"),
            item(3, "A scripted link", url="javascript:alert(document.cookie)"),
            item(
                2,
                "A second article",
                html="<p>Der Kreml und Pjöngjang arbeiten zusammen, sagte Putin.</p>",
            ),
        )
        channels = f"""  mail:
    type: email
    host: 127.0.0.1
    port: {port}
    security: none
    from: wirewatch@example.org
    to: [desk@example.org]"""
        cfg = write_config(tmp_path, serve(http_server, feed), channels)
        result = run_once(cfg)
    finally:
        controller.stop()
    assert result.returncode == 0, result.stderr
    subjects = [str(m["Subject"]) for m in inbox.messages]
    assert len(subjects) == 3, result.stderr
    for m in inbox.messages:  # a link in a mail is http(s) or none
        for part in m.walk():
            if part.get_content_maintype() == "text":
                assert "javascript:" not in part.get_content(), part.get_content()
    assert any("Putin Bcc: victim@example.org and Kim" in s for s in subjects), subjects
    assert all("Bcc" not in m for m in inbox.messages)
    db = sqlite3.connect(db_path(cfg))
    assert db.execute("SELECT DISTINCT status FROM deliveries").fetchall() == [("sent",)]


def test_an_alert_that_can_never_render_is_dead_at_once_and_the_rest_go_out(
    tmp_path: Path, http_server: RecordingServer
) -> None:
    inbox = Inbox()
    port = free_port()
    templates = tmp_path / "templates"
    templates.mkdir()
    # A template that fails for one alert only: a permanent failure, not a retry.
    (templates / "alert.txt.j2").write_text(
        "{% if 'BOOM' in alert.hit.article_title %}{{ no_such_variable }}{% endif %}"
        "{{ alert.hit.article_title }}\n",
        encoding="utf-8",
    )
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        feed = json_feed(item(1, "BOOM first"), item(2, "Kim second"))
        channels = f"""  mail:
    type: email
    host: 127.0.0.1
    port: {port}
    security: none
    from: wirewatch@example.org
    to: [desk@example.org]
    template_dir: {templates}"""
        cfg = write_config(tmp_path, serve(http_server, feed), channels)
        result = run_once(cfg)
    finally:
        controller.stop()
    assert result.returncode == 0, result.stderr
    assert [str(m["Subject"]).endswith("Kim second") for m in inbox.messages] == [True]
    db = sqlite3.connect(db_path(cfg))
    rows = db.execute("SELECT status, attempts, last_error FROM deliveries ORDER BY id").fetchall()
    statuses = sorted(r[0] for r in rows)
    assert statuses == ["dead", "sent"], rows
    dead = next(r for r in rows if r[0] == "dead")
    assert dead[1] == 1 and "permanent: UndefinedError" in dead[2], dead
    assert "delivery dead" in result.stderr
