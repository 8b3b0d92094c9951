"""One contract, every channel in ALERTERS, each against its real local peer.

A channel sends one alert as one message the peer receives, sends a digest
of several alerts as one message, and reports a peer's failure as a
retryable AlertError. A new channel needs a peer here (the first test fails
until it has one).
"""

from __future__ import annotations

import io
import json
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from daemon.alerts.channels import ALERTERS, Alert, Channel
from daemon.alerts.channels.console import ConsoleChannel, ConsoleSettings
from daemon.config import load_config
from daemon.errors import AlertError
from rules.errors import RuleFileErrors
from store import open_store
from tests.daemon.test_alerts_email import Inbox
from tests.support.alerts import record
from tests.support.net import free_port
from tests.support.servers import RecordingServer, Reply
from tests.support.slackpeer import SlackPeer

pytestmark = pytest.mark.anyio


@dataclass
class Peer:
    channel: Channel
    received: Callable[[], list[str]]  # each message the peer got, as text
    fail: Callable[[], None] | None  # make the peer refuse from now on


class Terminal(io.StringIO):
    """Standard output as the console channel's peer: each write is one message."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[str] = []

    def write(self, s: str) -> int:
        self.writes.append(s)
        return super().write(s)


@contextmanager
def console_peer(srv: RecordingServer, tmp_path: Path) -> Iterator[Peer]:
    out = Terminal()
    yield Peer(ConsoleChannel("c", ConsoleSettings(), out=out), lambda: out.writes, None)


def http_peer(srv: RecordingServer, path: str, kind: str, settings: dict[str, object]) -> Peer:
    srv.routes[path] = lambda req: Reply(200, b"ok")

    def fail() -> None:
        srv.routes[path] = lambda req: Reply(503, b"down")

    ch = ALERTERS[kind](kind, ALERTERS[kind].settings.model_validate({"type": kind, **settings}))
    return Peer(ch, lambda: [r.body.decode() for r in srv.requests if r.path == path], fail)


@contextmanager
def webhook_peer(srv: RecordingServer, tmp_path: Path) -> Iterator[Peer]:
    yield http_peer(srv, "/hook", "webhook", {"url": f"{srv.url}/hook"})


@contextmanager
def apprise_peer(srv: RecordingServer, tmp_path: Path) -> Iterator[Peer]:
    host = srv.url.removeprefix("http://")
    yield http_peer(srv, "/apprise", "apprise", {"url": f"json://{host}/apprise"})


@contextmanager
def slack_peer(srv: RecordingServer, tmp_path: Path) -> Iterator[Peer]:
    peer = SlackPeer(srv, interval_s=0).install()
    settings = {"webhook_url": f"{srv.url}/services/T0/B0/hook", "min_interval_s": 0}
    ch = ALERTERS["slack"](
        "s", ALERTERS["slack"].settings.model_validate({"type": "slack", **settings})
    )

    def fail() -> None:
        peer.extra_429 = 1000

    yield Peer(ch, lambda: [json.dumps(m) for m in peer.messages], fail)


@contextmanager
def email_peer(srv: RecordingServer, tmp_path: Path) -> Iterator[Peer]:
    inbox, port = Inbox(), free_port()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    settings = {
        "type": "email",
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "from": "w@example.org",
        "to": ["d@example.org"],
    }
    ch = ALERTERS["email"]("m", ALERTERS["email"].settings.model_validate(settings))

    def received() -> list[str]:
        return [m.get_body(("plain",)).get_content() for m in inbox.messages]

    def fail() -> None:
        inbox.refuse = 1000

    try:
        yield Peer(ch, received, fail)
    finally:
        server.stop()


PEERS = {
    "console": console_peer,
    "webhook": webhook_peer,
    "slack": slack_peer,
    "email": email_peer,
    "apprise": apprise_peer,
}


def test_every_channel_has_a_peer() -> None:
    assert set(PEERS) == set(ALERTERS)


@pytest.mark.parametrize("kind", sorted(ALERTERS))
async def test_channel_contract(kind: str, tmp_path: Path, http_server: RecordingServer) -> None:
    store = open_store(tmp_path / "w.db")
    record(store, 3, [kind])
    alerts = [Alert.from_job(j) for j in reversed(store.outbox())]
    with PEERS[kind](http_server, tmp_path) as peer:
        await peer.channel.send(alerts[0])
        assert len(peer.received()) == 1
        assert "news.example.org/0" in peer.received()[0]
        await peer.channel.send_batch(alerts[1:], digest=True)
        assert len(peer.received()) == 2
        assert "news.example.org/1" in peer.received()[1]
        assert "news.example.org/2" in peer.received()[1]
        if peer.fail:
            peer.fail()
            with pytest.raises(AlertError) as e:
                await peer.channel.send(alerts[0])
            assert e.value.retry
        await peer.channel.aclose()


def test_apprise_without_the_extra_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import daemon.alerts.channels.apprise as mod

    monkeypatch.setattr(mod.importlib.util, "find_spec", lambda name: None)
    cfg = tmp_path / "wirewatch.yaml"
    cfg.write_text("channels:\n  team:\n    type: apprise\n    url_env: TEAM_URL\n")
    with pytest.raises(RuleFileErrors) as e:
        load_config(cfg)
    assert str(e.value) == (
        f"{cfg}:3:11: channel 'team': type: apprise is not installed: "
        "pip install 'wirewatch[apprise]'"
    )


async def test_apprise_keeps_its_url_out_of_the_logs(
    tmp_path: Path, http_server: RecordingServer, caplog: pytest.LogCaptureFixture
) -> None:
    token = "tok-7d1e4b9a"
    http_server.routes[f"/{token}"] = lambda req: Reply(500, b"no")
    store = open_store(tmp_path / "w.db")
    record(store, 1, ["team"])
    host = http_server.url.removeprefix("http://")
    settings = ALERTERS["apprise"].settings.model_validate(
        {"type": "apprise", "url": f"json://{host}/{token}?key={token}x"}
    )
    caplog.set_level(logging.WARNING, logger="httpx")  # as the CLI configures it
    with caplog.at_level(logging.DEBUG):
        ch = ALERTERS["apprise"]("team", settings)
        with pytest.raises(AlertError):
            await ch.send(Alert.from_job(store.outbox()[0]))
        await ch.aclose()
    assert "apprise" in caplog.text  # it did log, at DEBUG
    assert token not in caplog.text


async def test_console_marks_names_bold_on_a_terminal_and_not_in_a_pipe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    store = open_store(tmp_path / "w.db")
    record(store, 1, ["c"])
    alert = Alert.from_job(store.outbox()[0])
    leader, follower = os.openpty()  # a real terminal, as `wirewatch run` in a shell has
    with open(follower, "w", encoding="utf-8") as tty, open(leader, "rb", buffering=0) as screen:
        await ConsoleChannel("c", ConsoleSettings(), out=tty).send(alert)
        shown = screen.read(65536).decode()
    assert "\x1b[1mKreml\x1b[22m" in shown and "**" not in shown
    piped = Terminal()
    await ConsoleChannel("c", ConsoleSettings(), out=piped).send(alert)
    assert "Kreml" in piped.getvalue() and "\x1b[" not in piped.getvalue()
    assert "**" not in piped.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    leader, follower = os.openpty()
    with open(follower, "w", encoding="utf-8") as tty, open(leader, "rb", buffering=0):
        assert ConsoleChannel("c", ConsoleSettings(), out=tty).mark == ("", "")
