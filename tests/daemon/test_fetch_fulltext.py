"""full_text: the article's page is fetched and its main text replaces the summary."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from daemon.config import load_config
from daemon.poll.fetch import FetchLimits, new_client
from daemon.poll.fulltext import fill_full_text
from daemon.runtime.service import Service
from rules.model import Article
from tests.support.servers import RecordingServer, Reply

pytest.importorskip("trafilatura")

PAGE = """<!DOCTYPE html><html lang="de"><head><title>Telefonat</title></head><body>
<nav><a href="/">Start</a> | <a href="/politik">Politik</a> | <a href="/wetter">Wetter</a></nav>
<article><h1>Putin telefoniert mit Kim</h1>
<p>Der russische Präsident Wladimir Putin hat am Dienstag mit dem nordkoreanischen
Machthaber Kim Jong Un telefoniert, wie der Kreml in Moskau mitteilte.</p>
<p>Beide Seiten hätten die Zusammenarbeit zwischen Russland und Nordkorea gewürdigt,
hieß es in Pjöngjang. Weitere Gespräche seien für den Herbst geplant.</p>
</article><footer>Impressum · Datenschutz · Kontakt</footer></body></html>"""


def test_full_text_replaces_the_summary(http_server: RecordingServer) -> None:
    http_server.routes["/story"] = lambda req: Reply(
        200, PAGE.encode(), {"content-type": "text/html; charset=utf-8"}
    )
    summary = Article("a1", "f", f"{http_server.url}/story", "Telefonat", "Telefonat\n\nKurz.")
    missing = Article("a2", "f", f"{http_server.url}/missing", "Weg", "Weg\n\nKurz.")

    async def go() -> list[Article]:
        async with new_client() as client:
            return await fill_full_text(client, [summary, missing], FetchLimits())

    full, kept = asyncio.run(go())
    assert full.text.startswith("Telefonat\n\n")
    assert "Kim Jong Un telefoniert" in full.text and "Pjöngjang" in full.text
    assert "Impressum" not in full.text and "Wetter" not in full.text
    assert "\n\n" in full.text.split("Telefonat\n\n", 1)[1]  # paragraphs kept
    assert kept == missing  # a page that fails leaves the summary


def test_a_full_text_feed_stores_the_page_text(
    tmp_path: Path, http_server: RecordingServer
) -> None:
    http_server.routes["/story"] = lambda req: Reply(
        200, PAGE.encode(), {"content-type": "text/html; charset=utf-8"}
    )
    item = f"<item><guid>1</guid><title>Telefonat</title><link>{http_server.url}/story</link>"
    feed = f"<rss version='2.0'><channel><title>K</title>{item}<description>Kurz.</description>"
    http_server.routes["/feed"] = lambda req: Reply(200, f"{feed}</item></channel></rss>".encode())
    cfg = tmp_path / "w.yaml"
    cfg.write_text(
        f"store: s.db\nfeeds:\n  - url: {http_server.url}/feed\n    full_text: true\n",
        encoding="utf-8",
    )
    service = Service(load_config(cfg))
    try:
        (report,) = asyncio.run(service.poll_all())
        (text,) = [r["text"] for r in service.store.db.query("SELECT text FROM articles")]
    finally:
        asyncio.run(service.aclose())
    assert report.new == 1
    assert "Kim Jong Un telefoniert" in text and "Kurz." not in text
