"""From a served feed to a webhook alert and a stored hit, through the real CLI."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import SEEDS
from tests.support.cli import wirewatch
from tests.support.servers import RecordingServer, Reply, static_feed

pytestmark = pytest.mark.slow  # every test here starts wirewatch in a process


def write_config(tmp_path: Path, feed_url: str, hook_url: str) -> Path:
    cfg = tmp_path / "wirewatch.yaml"
    cfg.write_text(
        f"""store: state/wirewatch.db
rules: [{SEEDS.parent / "rules" / "watches"}]
feeds:
  - url: {feed_url}
    interval: 10m
channels:
  hook:
    type: webhook
    url: {hook_url}
""",
        encoding="utf-8",
    )
    return cfg


def test_seed_feed_to_one_webhook_alert_and_a_stored_hit(
    tmp_path: Path, http_server: RecordingServer
) -> None:
    feed = (SEEDS / "feed.xml").read_bytes()
    http_server.routes["/feed.xml"] = static_feed(feed, '"v1"')
    http_server.routes["/hook"] = lambda req: Reply(204)
    cfg = write_config(tmp_path, f"{http_server.url}/feed.xml", f"{http_server.url}/hook")

    first = wirewatch("run", "--once", "--config", str(cfg))
    assert first.returncode == 0, first.stderr
    hooks = [r for r in http_server.requests if r.path == "/hook"]
    assert len(hooks) == 1
    alert = json.loads(hooks[0].body)
    assert alert["watch"]["id"] == "russia-north-korea"
    assert alert["article"]["url"] == "https://news.example.org/politik/putin-kim-telefonat"
    assert alert["article"]["lang"] == "de"
    assert hooks[0].headers["webhook-id"] == alert["id"]
    names = {n for ns in alert["actors"].values() for n in ns}
    assert {"Kreml", "Pjöngjang", "Moskau", "Nordkorea"} <= names

    db = sqlite3.connect(tmp_path / "state" / "wirewatch.db")
    rows = db.execute("SELECT watch_id, evidence FROM hits").fetchall()
    assert [r[0] for r in rows] == ["russia-north-korea"]
    evidence = json.loads(rows[0][1])
    assert any("Kreml" in e["text"] and "Kim" in e["text"] for e in evidence)
    assert all(set(e["actors"]) == {"RUS", "PRK"} for e in evidence)
    # Recorded with the relation that made it fire: the cue words, the class.
    cues = {c["text"] for e in evidence for c in e["relation"]["cues"]}
    assert "Telefonat" in cues
    assert {e["relation"]["class"] for e in evidence} <= {
        "verbal_cooperation",
        "material_cooperation",
    }
    assert db.execute("SELECT status FROM deliveries").fetchall() == [("sent",)]

    # Second run: the server answers the conditional GET with 304; nothing new is sent.
    second = wirewatch("run", "--once", "--config", str(cfg))
    assert second.returncode == 0, second.stderr
    feed_gets = [r for r in http_server.requests if r.path == "/feed.xml"]
    assert feed_gets[-1].headers.get("if-none-match") == '"v1"'
    assert len([r for r in http_server.requests if r.path == "/hook"]) == 1

    # The feed changes (new ETag, new bytes) but still carries the same item: no re-alert.
    http_server.routes["/feed.xml"] = static_feed(
        feed.replace(b"seed feed", b"seed feed v2"), '"v2"'
    )
    third = wirewatch("run", "--once", "--config", str(cfg))
    assert third.returncode == 0, third.stderr
    assert "new=0" in third.stderr
    assert len([r for r in http_server.requests if r.path == "/hook"]) == 1
    assert db.execute("SELECT count(*) FROM hits").fetchone() == (1,)


def test_default_config_prints_the_seed_alert(tmp_path: Path) -> None:
    db = tmp_path / "seed.db"
    result = wirewatch("run", "--once", "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert "[high] russia-north-korea" in result.stdout
    assert "Kreml" in result.stdout
    assert "**" not in result.stdout and "\x1b[" not in result.stdout  # a pipe: plain text
    hits = wirewatch("hits", "--json", "--db", str(db))
    rows = [json.loads(line) for line in hits.stdout.splitlines()]
    assert [r["watch"] for r in rows] == ["russia-north-korea"]
