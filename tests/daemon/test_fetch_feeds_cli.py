"""`wirewatch feeds`: health table and JSON, add (with discovery), OPML import/export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import wirewatch
from tests.support.servers import RecordingServer, Reply, static_feed

pytestmark = pytest.mark.slow  # every test here starts wirewatch in a process

FEED = (
    b"<rss version='2.0'><channel><title>Kurier</title>"
    b"<item><guid>1</guid><title>Eins</title></item></channel></rss>"
)
PAGE = b"""<!DOCTYPE html><html><head><title>Kurier</title>
<link rel="stylesheet" href="/s.css">
<link rel="alternate" type="application/rss+xml" title="RSS" href="/feed.xml">
</head><body><p>Home</p></body></html>"""


def config(tmp_path: Path, *feeds: str) -> Path:
    cfg = tmp_path / "wirewatch.yaml"
    listed = "".join(f"  - url: {f}\n" for f in feeds) or "  []\n"
    cfg.write_text(f"store: state.db\nfeeds:\n{listed}", encoding="utf-8")
    return cfg


def test_add_finds_the_feed_a_page_announces_and_run_polls_it(
    tmp_path: Path, http_server: RecordingServer
) -> None:
    http_server.routes["/"] = lambda req: Reply(200, PAGE, {"content-type": "text/html"})
    http_server.routes["/feed.xml"] = static_feed(FEED, '"1"')
    cfg = config(tmp_path)
    added = wirewatch("feeds", "--config", str(cfg), "add", http_server.url + "/")
    assert added.returncode == 0, added.stderr
    assert (
        f"added: {http_server.url}/feed.xml (found on {http_server.url}/) - Kurier" in added.stdout
    )
    again = wirewatch("feeds", "--config", str(cfg), "add", http_server.url + "/feed.xml")
    assert again.stdout.startswith("already polled")

    ran = wirewatch("run", "--once", "--config", str(cfg))
    assert ran.returncode == 0, ran.stderr
    (feed,) = json.loads(wirewatch("feeds", "--config", str(cfg), "--json").stdout)
    assert feed["url"] == f"{http_server.url}/feed.xml" and feed["origin"] == "cli"
    assert feed["status"] == "ok" and feed["error_class"] is None
    assert feed["last_success_at"] and feed["next_poll_at"]


def test_add_refuses_a_page_without_a_feed(tmp_path: Path, http_server: RecordingServer) -> None:
    page = b"<!DOCTYPE html><html><head></head><body>no feed</body></html>"
    http_server.routes["/"] = lambda req: Reply(200, page, {"content-type": "text/html"})
    result = wirewatch("feeds", "--config", str(config(tmp_path)), "add", http_server.url + "/")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"{http_server.url}/: an HTML page that announces no feed (<link rel=alternate>)"
    )


def test_table_shows_health_and_errors(tmp_path: Path, http_server: RecordingServer) -> None:
    http_server.routes["/ok"] = static_feed(FEED, '"1"')
    http_server.routes["/bad"] = lambda req: Reply(500, b"down")
    cfg = config(tmp_path, http_server.url + "/ok", http_server.url + "/bad")
    wirewatch("run", "--once", "--config", str(cfg))
    table = wirewatch("feeds", "--config", str(cfg)).stdout
    lines = table.splitlines()
    assert lines[0].split()[:2] == ["STATUS", "LAST"]
    bad = next(i for i, line in enumerate(lines) if line.endswith("/bad"))
    assert lines[bad].startswith("failing")
    assert "http_5xx: HTTP 500 Internal Server Error (x1 since" in lines[bad + 1]
    assert any(line.startswith("ok") and line.endswith("/ok") for line in lines)
    rows = {f["url"]: f for f in json.loads(wirewatch("feeds", "-c", str(cfg), "--json").stdout)}
    assert rows[http_server.url + "/bad"]["error_class"] == "http_5xx"
    assert rows[http_server.url + "/bad"]["last_success_at"] is None


def test_opml_import_and_export_round_trip(tmp_path: Path) -> None:
    opml = tmp_path / "subs.opml"
    opml.write_text(
        """<?xml version="1.0"?><opml version="2.0"><head><title>s</title></head><body>
<outline text="News"><outline text="A" type="rss" xmlUrl="https://a.example/feed"/>
<outline text="B" xmlUrl="https://b.example/rss"/></outline>
<outline text="A again" xmlUrl="https://a.example/feed"/></body></opml>""",
        encoding="utf-8",
    )
    cfg = config(tmp_path)
    result = wirewatch("feeds", "-c", str(cfg), "import", str(opml))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"imported 2 feeds from {opml} (0 already polled)"
    exported = wirewatch("feeds", "-c", str(cfg), "export").stdout
    assert exported.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">')
    for url in ("https://a.example/feed", "https://b.example/rss"):
        assert f'xmlUrl="{url}"' in exported
    back = tmp_path / "back.opml"
    back.write_text(exported, encoding="utf-8")
    again = wirewatch("feeds", "-c", str(cfg), "import", str(back))
    assert again.stdout.strip() == f"imported 0 feeds from {back} (2 already polled)"


def test_broken_opml_names_file_line_and_column(tmp_path: Path) -> None:
    opml = tmp_path / "bad.opml"
    opml.write_text('<opml version="2.0">\n<body>\n<outline xmlUrl="x">\n</body>', "utf-8")
    result = wirewatch("feeds", "-c", str(config(tmp_path)), "import", str(opml))
    assert result.returncode == 1
    assert result.stderr.strip().startswith(f"{opml}:4:3: not well-formed XML: mismatched tag")


def test_an_unknown_health_channel_names_file_line_and_column(tmp_path: Path) -> None:
    cfg = tmp_path / "wirewatch.yaml"
    cfg.write_text(
        "channels:\n  ops: {type: console}\nhealth:\n  channel: opz\n"
        "feeds:\n  - url: https://a.example/rss\n    min_interval: soon\n",
        encoding="utf-8",
    )
    result = wirewatch("check", "--config", str(cfg))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith(f"{cfg}:7:19: ")
    assert "soon" in lines[0]
    cfg.write_text("channels:\n  ops: {type: console}\nhealth:\n  channel: opz\n", "utf-8")
    result = wirewatch("check", "--config", str(cfg))
    assert result.returncode == 1
    assert result.stderr.strip() == f"{cfg}:4:12: health.channel: no channel named 'opz'"
