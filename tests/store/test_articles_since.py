"""Store.articles_since: stored articles back as Articles, oldest first, from a time on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from rules.model import Article
from store import Store

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def test_articles_since_round_trips_and_filters_on_fetch_time(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "w.db")
    old = Article("old", "file:///f.xml", "https://x.example/old", "Old", "Putin.", lang="de")
    new = Article(
        "new",
        "file:///f.xml",
        "https://x.example/new",
        "New",
        "Putin und Kim.",
        published_at=NOW - timedelta(hours=3),
        lang="de",
        guid="g-new",
        feed_title="Feed",
    )
    store.record_article(old, [], NOW - timedelta(days=10))
    store.record_article(new, [], NOW)
    assert list(store.articles_since(NOW - timedelta(days=1))) == [new]
    assert [a.id for a in store.articles_since(NOW - timedelta(days=30))] == ["old", "new"]
    assert list(store.articles_since(NOW + timedelta(seconds=1))) == []
