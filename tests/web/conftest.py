"""A store seeded with the seed article's real hit and a hostile one, and the console."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

with warnings.catch_warnings():  # starlette 1.x prefers httpx2; httpx is what we have
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from daemon.web.app import ConsoleSettings, build_app
from rules.engine import Engine
from rules.load import RuleSet, load_rules
from rules.model import Article
from store import Planned, Store
from tests.conftest import ROOT, SEEDS

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
SEED_TEXT = (SEEDS / "000_1f078e3ac375ad18.txt").read_text(encoding="utf-8")
RULES = ROOT / "rules" / "watches"
HOSTILE_TITLE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>\u202eevil\u202c'
HOSTILE_URL = "javascript:alert(3)"


@dataclass
class Seeded:
    path: Path
    rules: RuleSet
    seed_hit: int
    hostile_hit: int
    story: int


def _record(store: Store, engine: Engine, article: Article, now: datetime) -> tuple[int, int]:
    result = engine.match(article.text, lang="de", article_id=article.id, source=article.feed_url)
    assert result.hits, article.title
    planned = [(h, [Planned("console")]) for h in result.hits]
    rec = store.record_planned(article, planned, now, fingerprint=hash(article.id) & 0xFFFF)
    assert rec.story_id is not None
    return next(iter(rec.hit_ids.values())), rec.story_id


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    path = tmp_path_factory.mktemp("web") / "w.db"
    rules = load_rules([RULES])
    engine = Engine(rules)
    store = Store.open(path)
    store.sync_feeds([("https://news.example.org/feed.xml", 900)], NOW)
    seed = Article(
        id="https://news.example.org/politik/putin-kim-telefonat",
        feed_url="https://news.example.org/feed.xml",
        url="https://news.example.org/politik/putin-kim-telefonat",
        title="Putin und Kim telefonieren",
        text=SEED_TEXT,
        published_at=NOW,
        lang="de",
        feed_title="Nachrichten",
    )
    seed_hit, story = _record(store, engine, seed, NOW)
    hostile = Article(
        id="hostile-1",
        feed_url="https://evil.example/feed.xml",
        url=HOSTILE_URL,
        title=HOSTILE_TITLE,
        text="Putin und Kim Jong Un <b>vereinbaren</b> in Moskau \u202eeine Zusammenarbeit.",
        published_at=NOW,
        lang="de",
        feed_title='"><script>alert(4)</script>',
    )
    hostile_hit, _ = _record(store, engine, hostile, NOW)
    store.close()
    return Seeded(path, rules, seed_hit, hostile_hit, story)


def make_client(seeded: Seeded, **extra: object) -> Iterator[object]:
    settings = ConsoleSettings(
        store=str(seeded.path),
        rules=lambda: seeded.rules,
        rule_paths=lambda: (RULES,),
        now=lambda: NOW,
        **extra,  # type: ignore[arg-type]
    )
    with TestClient(build_app(settings), base_url="http://127.0.0.1:9187") as client:
        yield client


@pytest.fixture
def client(seeded: Seeded) -> Iterator[object]:
    yield from make_client(seeded)
