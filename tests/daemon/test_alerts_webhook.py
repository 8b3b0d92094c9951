"""The webhook channel and the outbox worker against a real receiver on loopback."""

from __future__ import annotations

import base64
import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest
from standardwebhooks.webhooks import Webhook

from daemon.alerts.channels.webhook import WebhookChannel, WebhookSettings
from daemon.alerts.secrets import SecretError
from daemon.alerts.worker import deliver_due
from store import open_store
from tests.support.alerts import quick, record
from tests.support.cli import wirewatch
from tests.support.clock import Clock
from tests.support.servers import RecordingServer, Reply, Request

pytestmark = pytest.mark.anyio
SCHEMA = json.loads(
    (Path(__file__).parents[2] / "daemon/alerts/channels/webhook.schema.json").read_text(
        encoding="utf-8"
    )
)
SECRET = "whsec_" + base64.b64encode(b"a very secret signing key 123456").decode()


def hooks(srv: RecordingServer) -> list[Request]:
    return [r for r in srv.requests if r.path.startswith("/hook")]


def channel(srv: RecordingServer, **extra: object) -> WebhookChannel:
    settings = WebhookSettings.model_validate({"url": f"{srv.url}/hook", **extra})
    return WebhookChannel("hook", settings)


def scripted(*statuses: int, headers: dict[str, str] | None = None):
    """A route answering with these statuses in turn, then 200."""
    queue = list(statuses)

    def route(req: Request) -> Reply:
        return Reply(queue.pop(0) if queue else 200, b"", headers or {})

    return route


async def test_signed_per_standard_webhooks_same_id_on_retry(
    tmp_path: Path, http_server: RecordingServer
) -> None:
    http_server.routes["/hook"] = scripted(503)
    store = open_store(tmp_path / "w.db")
    record(store, 1, ["hook"])
    ch = channel(http_server, secret=SECRET)
    clock = Clock()
    assert await deliver_due(store, {"hook": ch}, clock, policy=quick(0, 5)) == 0
    clock.tick(seconds=5)
    assert await deliver_due(store, {"hook": ch}, clock, policy=quick(0, 5)) == 1
    first, second = hooks(http_server)
    verifier = Webhook(SECRET)
    for req in (first, second):
        body = verifier.verify(req.body, req.headers)
        assert body["id"] == req.headers["webhook-id"]
        assert body["type"] == "wirewatch.hit"
        assert body["watch"]["severity"] == "high"
        jsonschema.validate(body, SCHEMA)
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    [job] = store.outbox()
    assert (job.status, job.attempts) == ("sent", 2)
    await ch.aclose()


async def test_receiver_down_then_up_delivers_in_creation_order(
    tmp_path: Path, http_server: RecordingServer
) -> None:
    http_server.routes["/hook"] = scripted(503, 502, 500)
    http_server.routes["/other"] = scripted()
    store = open_store(tmp_path / "w.db")
    record(store, 6, ["hook", "other"])
    hook = channel(http_server)
    other = WebhookChannel(
        "other", WebhookSettings.model_validate({"url": f"{http_server.url}/other"})
    )
    chans = {"hook": hook, "other": other}
    clock = Clock()
    policy = quick(0, 5, 60, 600)
    sent = await deliver_due(store, chans, clock, policy=policy)
    assert sent == 6  # the other channel is not held back by this one
    for step in (5, 60, 600):
        clock.tick(seconds=step)
        sent += await deliver_due(store, chans, clock, policy=policy)
    assert sent == 12
    got = [r for r in hooks(http_server) if r.path == "/hook"]
    delivered = [json.loads(r.body)["article"]["id"] for r in got[3:]]
    assert delivered == [f"a{i}" for i in range(6)]
    # while the receiver was down only the head of the line was tried
    assert {json.loads(r.body)["article"]["id"] for r in got[:3]} == {"a0"}
    await hook.aclose()
    await other.aclose()


@pytest.mark.slow
async def test_410_disables_the_destination_and_retry_reenables_it(
    tmp_path: Path, http_server: RecordingServer
) -> None:
    http_server.routes["/hook"] = scripted(410)
    db = tmp_path / "w.db"
    store = open_store(db)
    record(store, 3, ["hook"])
    ch = channel(http_server)
    clock = Clock()
    assert await deliver_due(store, {"hook": ch}, clock, policy=quick(0, 5)) == 0
    clock.tick(hours=1)
    assert await deliver_due(store, {"hook": ch}, clock, policy=quick(0, 5)) == 0
    assert len(hooks(http_server)) == 1
    listing = wirewatch("deliveries", "--db", str(db))
    assert "channel hook is DISABLED" in listing.stderr
    assert "pending=2  sent=0  dead=1" in listing.stdout
    dead = wirewatch("deliveries", "--db", str(db), "--status", "dead", "--json")
    [row] = [json.loads(line) for line in dead.stdout.splitlines()]
    assert row["last_error"] == "HTTP 410 Gone: destination disabled"
    again = wirewatch("deliveries", "--db", str(db), "retry", "--all")
    assert again.returncode == 0, again.stderr
    assert "1 dead letter(s) queued again" in again.stdout
    later = Clock(datetime.now(UTC) + timedelta(seconds=1))  # retry queues at the real now
    assert await deliver_due(store, {"hook": ch}, later, policy=quick(0, 5)) == 3
    await ch.aclose()


async def test_4xx_is_a_dead_letter_at_once_and_408_429_5xx_are_retried(
    tmp_path: Path, http_server: RecordingServer
) -> None:
    http_server.routes["/hook"] = scripted(429, 408, 500, 400, headers={"retry-after": "30"})
    store = open_store(tmp_path / "w.db")
    record(store, 1, ["hook"])
    ch = channel(http_server)
    clock = Clock()
    for _ in range(4):
        await deliver_due(store, {"hook": ch}, clock, policy=quick(0, 5, 5, 5, 5))
        clock.tick(seconds=30)
    [job] = store.outbox()
    assert (job.status, job.attempts, job.last_error) == ("dead", 4, "HTTP 400")
    await ch.aclose()


async def test_429_retry_after_postpones_the_next_attempt(
    tmp_path: Path, http_server: RecordingServer
) -> None:
    http_server.routes["/hook"] = scripted(429, headers={"retry-after": "120"})
    store = open_store(tmp_path / "w.db")
    record(store, 1, ["hook"])
    ch = channel(http_server)
    clock = Clock()
    await deliver_due(store, {"hook": ch}, clock, policy=quick(0, 5))
    [job] = store.outbox()
    assert (job.next_attempt_at - clock.at).total_seconds() == 120
    await ch.aclose()


async def test_secrets_are_neither_stored_nor_logged(
    tmp_path: Path,
    http_server: RecordingServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    token = "tok-4f9a2c7e1b"
    http_server.routes[f"/hook/{token}"] = scripted(500)
    creds = tmp_path / "creds"
    creds.mkdir()
    (creds / "hook-secret").write_text(SECRET + "\n")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    monkeypatch.setenv("HOOK_URL", f"{http_server.url}/hook/{token}")
    settings = WebhookSettings.model_validate(
        {"url_env": "HOOK_URL", "secret_file": "${CREDENTIALS_DIRECTORY}/hook-secret"}
    )
    ch = WebhookChannel("hook", settings)
    db = tmp_path / "w.db"
    store = open_store(db)
    record(store, 2, ["hook"])
    clock = Clock()
    # As the CLI configures logging: everything at DEBUG, but httpx (which logs whole
    # request URLs at INFO) at WARNING.
    caplog.set_level(logging.WARNING, logger="httpx")
    with caplog.at_level(logging.DEBUG):
        await deliver_due(store, {"hook": ch}, clock, policy=quick(0, 5))
        clock.tick(seconds=5)
        assert await deliver_due(store, {"hook": ch}, clock, policy=quick(0, 5)) == 2
        logging.getLogger("test").info("channel=%r", ch._url)
    store.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("w.db*"))
    key = SECRET.removeprefix("whsec_")
    for secret in (token, key, SECRET):
        assert secret.encode() not in raw
        assert secret not in caplog.text
    assert "delivery failed" in caplog.text and "alert sent" in caplog.text
    Webhook(SECRET).verify(hooks(http_server)[-1].body, hooks(http_server)[-1].headers)
    await ch.aclose()


@pytest.mark.slow
async def test_deliveries_retry_by_id_and_its_mistakes(
    tmp_path: Path, http_server: RecordingServer
) -> None:
    http_server.routes["/hook"] = scripted(400, 400)
    db = tmp_path / "w.db"
    store = open_store(db)
    record(store, 2, ["hook"])
    ch = channel(http_server)
    clock = Clock()
    await deliver_due(store, {"hook": ch}, clock, policy=quick(0, 5))
    await deliver_due(store, {"hook": ch}, clock, policy=quick(0, 5))
    assert store.status_counts() == {"dead": 2}
    one = wirewatch("deliveries", "--db", str(db), "retry", "1")
    assert (one.returncode, one.stdout.strip()) == (
        0,
        "1 dead letter(s) queued again; the daemon sends them on its next run",
    )
    wrong = wirewatch("deliveries", "--db", str(db), "retry", "1", "999")
    assert wrong.returncode == 1
    assert "2 id(s) were not dead letters" in wrong.stderr
    neither = wirewatch("deliveries", "--db", str(db), "retry")
    assert (neither.returncode, neither.stderr.strip()) == (
        1,
        "give delivery ids or --all (not both)",
    )
    assert store.status_counts() == {"dead": 1, "pending": 1}
    await ch.aclose()


@pytest.mark.slow
def test_a_missing_secret_stops_the_daemon_with_a_clear_message(tmp_path: Path) -> None:
    cfg = tmp_path / "wirewatch.yaml"
    cfg.write_text("store: w.db\nchannels:\n  hook: {type: webhook, url_env: NO_SUCH_HOOK_URL}\n")
    result = wirewatch("run", "--once", "--config", str(cfg))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "channel 'hook': url_env: environment variable NO_SUCH_HOOK_URL is not set"
    )


async def test_two_secrets_sign_twice_for_key_rotation(
    tmp_path: Path, http_server: RecordingServer
) -> None:
    http_server.routes["/hook"] = scripted()
    new = "whsec_" + base64.b64encode(b"the next signing key, rotated in").decode()
    store = open_store(tmp_path / "w.db")
    record(store, 1, ["hook"])
    ch = channel(http_server, secret=f"{SECRET} {new}")
    assert await deliver_due(store, {"hook": ch}, Clock()) == 1
    [req] = hooks(http_server)
    assert req.headers["webhook-signature"].count("v1,") == 2
    for secret in (SECRET, new):
        Webhook(secret).verify(req.body, req.headers)
    with pytest.raises(SecretError, match="not a whsec_ base64 secret"):
        channel(http_server, secret="whsec_not*base64")
    await ch.aclose()
