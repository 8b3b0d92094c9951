"""A store seeded with the seed article's real hit and a hostile one, and the console.

Every test that takes `seeded` or `fresh` runs on each backend: a SQLite file and
a PostgreSQL schema (tests/pg.py; skipped when no server is configured).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
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
from store import Planned, StoreAPI, open_store
from tests.conftest import ROOT, SEEDS
from tests.support.pg import fresh_schema

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
SEED_TEXT = (SEEDS / "000_1f078e3ac375ad18.txt").read_text(encoding="utf-8")
RULES = ROOT / "rules" / "watches"
HOSTILE_TITLE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>\u202eevil\u202c'
HOSTILE_URL = "javascript:alert(3)"


@dataclass
class Seeded:
    target: str  # a SQLite file or a postgresql:// URL
    rules: RuleSet
    seed_hit: int
    hostile_hit: int
    story: int


def _record(store: StoreAPI, engine: Engine, article: Article, now: datetime) -> tuple[int, int]:
    result = engine.match(article.text, lang="de", article_id=article.id, source=article.feed_url)
    assert result.hits, article.title
    planned = [(h, [Planned("console")]) for h in result.hits]
    rec = store.record_planned(article, planned, now, fingerprint=hash(article.id) & 0xFFFF)
    assert rec.story_id is not None
    return next(iter(rec.hit_ids.values())), rec.story_id


@pytest.fixture(scope="session")
def engine() -> tuple[RuleSet, Engine]:
    rules = load_rules([RULES])
    return rules, Engine(rules)


def seed(target: str, engine: tuple[RuleSet, Engine]) -> Seeded:
    """Open the store at `target` and record the seed article and the hostile one."""
    rules, matcher = engine
    store = open_store(target)
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
    seed_hit, story = _record(store, matcher, seed, NOW)
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
    hostile_hit, _ = _record(store, matcher, hostile, NOW)
    store.close()
    return Seeded(target, rules, seed_hit, hostile_hit, story)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@contextmanager
def _target(backend: str, folder: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield str(folder / "w.db")
    else:
        with fresh_schema() as url:
            yield url


@pytest.fixture(scope="session")
def seeded(
    backend: str, engine: tuple[RuleSet, Engine], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Seeded]:
    """One seeded store per backend for the session (tests that only read, or add verdicts)."""
    with _target(backend, tmp_path_factory.mktemp("web")) as target:
        yield seed(target, engine)


@pytest.fixture
def fresh(backend: str, engine: tuple[RuleSet, Engine], tmp_path: Path) -> Iterator[Seeded]:
    """A seeded store of the test's own, for tests that change it."""
    with _target(backend, tmp_path) as target:
        yield seed(target, engine)


def make_client(seeded: Seeded, **extra: object) -> Iterator[object]:
    settings = ConsoleSettings(
        store=seeded.target,
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
