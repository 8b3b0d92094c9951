"""Every seed loads: the default config, its rules and the seed feed."""

from __future__ import annotations

from daemon.config import load_config
from daemon.poll.parse import parse_feed
from rules.load import load_rules
from tests.conftest import SEED_ARTICLE, SEEDS


def test_default_config_and_rules_load() -> None:
    config = load_config(SEEDS / "wirewatch.yaml", env={})
    rules = load_rules(config.rule_paths)
    assert {"RUS", "PRK"} <= set(rules.actors)
    assert [w.spec.id for w in rules.watches] == ["russia-north-korea"]
    assert config.store.endswith("var/wirewatch.db")
    assert list(config.channels) == ["console"]


def test_seed_feed_carries_the_seed_article() -> None:
    feed = parse_feed((SEEDS / "feed.xml").read_bytes(), "seed")
    assert feed.lang == "de"
    body = SEED_ARTICLE.read_text(encoding="utf-8").split("\n")[0]
    assert any(body in a.text for a in feed.articles)
