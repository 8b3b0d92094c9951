"""One bad item never kills its feed: it is skipped with its reason, the rest is stored,
and `wirewatch feeds` counts it (on SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.hostile.kit import db_path, item, json_feed, run_once, write_config
from tests.support.cli import wirewatch
from tests.support.servers import RecordingServer, Reply

pytestmark = pytest.mark.slow


def serve(server: RecordingServer, body: bytes) -> str:
    server.routes["/feed.json"] = lambda req: Reply(200, body, {"content-type": "application/json"})
    return f"{server.url}/feed.json"


def feeds_json(cfg: Path) -> list[dict[str, object]]:
    result = wirewatch("feeds", "--json", "--config", str(cfg))
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert isinstance(rows, list)
    return rows


def test_one_bad_item_is_skipped_and_the_rest_of_the_feed_is_stored(
    tmp_path: Path, http_server: RecordingServer
) -> None:
    huge = "<p>" + "Putin und Kim Jong Un sprachen. " * 40_000 + "</p>"  # 1.3 M chars
    feed = json_feed(
        item(1, "Huge", html=huge),
        item(2, "Year one", date_published="0001-01-01T00:00:00+01:00"),
        item(
            3,
            "NUL\x00 in the title",
            html="<p>Der Kreml\x00 und Pjöngjang arbeiten zusammen, sagte Putin.</p>",
        ),
        item(4, "A plain good one"),
    )
    data = json.loads(feed)
    data["items"].insert(2, ["not", "an", "item"])  # unreadable: skipped with its reason
    body = json.dumps(data, ensure_ascii=False).encode()
    body = body.replace(b"A plain good one", b"A plain good one \xff\xfe")  # not UTF-8
    cfg = write_config(tmp_path, serve(http_server, body), " {}")
    result = run_once(cfg)
    assert result.returncode == 0, result.stderr
    db = sqlite3.connect(db_path(cfg))
    titles = {t for (t,) in db.execute("SELECT title FROM articles")}
    assert titles == {"Huge", "Year one", "NUL in the title", "A plain good one \ufffd\ufffd"}
    (longest,) = db.execute("SELECT max(length(text)) FROM articles").fetchone()
    assert longest <= 1_000_000
    assert db.execute(
        "SELECT count(*) FROM articles WHERE instr(text, char(0)) > 0"
    ).fetchone() == (0,)
    assert db.execute("SELECT count(*) FROM hits").fetchone()[0] >= 3
    (feed_row,) = feeds_json(cfg)
    assert feed_row["status"] == "ok"
    assert feed_row["skipped_items"] == 1
    assert "item 3: ValueError: not an object" in str(feed_row["last_skip"])
    assert "item skipped feed=" in result.stderr
    table = wirewatch("feeds", "--config", str(cfg))
    assert "SKIPPED" in table.stdout and "last skipped: item 3" in table.stdout


def test_a_feed_of_many_thousand_items_is_read_up_to_the_cap(
    tmp_path: Path, http_server: RecordingServer
) -> None:
    items = [item(i, f"Wetter {i}", html=f"<p>Regen am Tag {i}.</p>") for i in range(1500)]
    cfg = write_config(tmp_path, serve(http_server, json_feed(*items)), " {}", backfill="3")
    result = run_once(cfg)
    assert result.returncode == 0, result.stderr
    db = sqlite3.connect(db_path(cfg))
    assert db.execute("SELECT count(*) FROM articles").fetchone() == (1000,)
    (feed_row,) = feeds_json(cfg)
    assert feed_row["status"] == "ok"
    assert "over 1000 items in one poll: 500 not read" in str(feed_row["last_skip"])


def test_a_nul_byte_does_not_kill_its_feed_on_postgresql(
    tmp_path: Path, http_server: RecordingServer
) -> None:
    pytest.importorskip("psycopg")
    import psycopg

    from tests.support.pg import fresh_schema

    data = json.loads(
        json_feed(
            item(
                1,
                "NUL\x00 in the title",
                html="<p>Der Kreml\x00 und Pjöngjang arbeiten zusammen, sagte Putin.</p>",
            ),
            item(2, "A plain good one", url="https://news.example.org/a\x00b"),
        )
    )
    data["items"].append("not an item")  # skipped, and counted on the feed's row
    feed = json.dumps(data).encode()
    with fresh_schema() as url:
        cfg = write_config(tmp_path, serve(http_server, feed), " {}")
        cfg.write_text(
            cfg.read_text(encoding="utf-8").replace("store: state/wirewatch.db", f"store: '{url}'"),
            encoding="utf-8",
        )
        result = run_once(cfg)
        assert result.returncode == 0, result.stderr
        (feed_row,) = feeds_json(cfg)
        assert feed_row["status"] == "ok", feed_row
        assert feed_row["skipped_items"] == 1
        assert "item 3: ValueError: not an object" in str(feed_row["last_skip"])
        with psycopg.connect(url) as conn:
            rows = conn.execute("SELECT title, url, text FROM articles").fetchall()
    assert sorted(r[0] for r in rows) == ["A plain good one", "NUL in the title"]
    assert not any("\x00" in "".join(r) for r in rows)
