"""`wirewatch feeds add` on a page someone else wrote: nothing it says may name a local
file, and no answer tells which local files exist."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.support.cli import wirewatch
from tests.support.servers import RecordingServer, Reply

pytestmark = pytest.mark.slow


def page(*links: str, base: str | None = None) -> bytes:
    head = f'<base href="{base}">' if base else ""
    head += "".join(
        f'<link rel="alternate" type="application/rss+xml" href="{href}">' for href in links
    )
    return f"<!DOCTYPE html><html><head>{head}</head><body>news</body></html>".encode()


def config(tmp_path: Path) -> Path:
    cfg = tmp_path / "wirewatch.yaml"
    cfg.write_text("store: state/w.db\nfeeds: []\nchannels: {}\n", encoding="utf-8")
    return cfg


@pytest.mark.parametrize(
    ("links", "base"),
    [
        (["/etc/passwd", "/etc/no-such-file"], "x:"),
        (["file:///etc/passwd", "file:///etc/no-such-file"], None),
        (["x:/etc/passwd", "x:/etc/no-such-file"], None),
    ],
    ids=["base-href-scheme", "file-url", "odd-scheme"],
)
def test_a_page_cannot_steer_feeds_add_into_local_files(
    tmp_path: Path, http_server: RecordingServer, links: list[str], base: str | None
) -> None:
    http_server.routes["/"] = lambda req: Reply(
        200, page(*links, base=base), {"content-type": "text/html"}
    )
    cfg = config(tmp_path)
    result = wirewatch("feeds", "--config", str(cfg), "add", f"{http_server.url}/")
    assert result.returncode == 1, result.stdout
    # Nothing was read from disk: a link is dropped, or fetched from the page's own server.
    assert "cannot read file" not in result.stderr
    remote = result.stderr
    for name in ("passwd", "no-such-file"):
        remote = remote.replace(f"{http_server.url}/etc/{name}", "")
    assert "passwd" not in remote and "no-such-file" not in remote, result.stderr
    assert "Traceback" not in result.stderr
    db = tmp_path / "state" / "w.db"
    if db.exists():
        assert sqlite3.connect(db).execute("SELECT count(*) FROM feeds").fetchone() == (0,)


def test_a_redirect_to_a_local_path_is_refused(
    tmp_path: Path, http_server: RecordingServer
) -> None:
    http_server.routes["/feed"] = lambda req: Reply(301, b"", {"location": "x:/etc/passwd"})
    result = wirewatch("feeds", "--config", str(config(tmp_path)), "add", f"{http_server.url}/feed")
    assert result.returncode == 1, result.stdout
    assert "redirect to a non-http(s) URL" in result.stderr
    assert "Traceback" not in result.stderr
