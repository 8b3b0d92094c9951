"""Shared parts of the alert tests: stored hits and a quiet retry policy."""

from __future__ import annotations

from datetime import datetime, timedelta

from daemon.alerts.worker import Policy
from rules.model import Article, Evidence, Hit, Mention
from store import Planned, StoreAPI
from tests.support.clock import T0

SENTENCE = "Der Kreml & Pjöngjang <vertiefen> die Zusammenarbeit, sagte Putin."


def quick(*delays_s: float) -> Policy:
    """A retry policy with these delays and no jitter."""
    return Policy(schedule=tuple(timedelta(seconds=s) for s in delays_s), jitter=lambda: 0.0)


def article(i: int, title: str | None = None, text: str = SENTENCE) -> Article:
    return Article(
        id=f"a{i}",
        feed_url="http://127.0.0.1/feed.xml",
        url=f"https://news.example.org/{i}",
        title=title or f"Artikel {i}",
        text=text,
        lang="de",
        feed_title="Beispiel-Nachrichten",
    )


def hit(article_id: str, watch: str = "russia-north-korea", severity: str = "high") -> Hit:
    mentions = (
        Mention("RUS", "Kreml", 4, 9),
        Mention("PRK", "Pjöngjang", 12, 21),
        Mention("RUS", "Putin", 60, 65),
    )
    return Hit(
        watch_id=watch,
        article_id=article_id,
        evidence=(Evidence(SENTENCE, 0, len(SENTENCE), ("RUS", "PRK"), mentions),),
        severity=severity,
        title="Russia and North Korea together",
        condition="all: RUS, PRK",
    )


def record(
    store: StoreAPI, n: int, channels: list[str], now: datetime = T0, start: int = 0
) -> None:
    """Store n articles, each with one hit and a pending delivery per channel."""
    for i in range(start, start + n):
        a = article(i)
        store.record_planned(a, [(hit(a.id), [Planned(c) for c in channels])], now)
