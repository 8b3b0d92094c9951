"""`wirewatch backtest`: a watch over stored articles, per day, sending and writing nothing."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from rules.model import Article
from store import open_store
from tests.support.cli import wirewatch

pytestmark = pytest.mark.slow  # every test here starts wirewatch in a process

NOW = datetime.now(UTC)
WATCH = """\
watches:
  - id: ru-kp
    all: [RUS, PRK]
    enabled: false
    channels: [hook]
"""


def setup(tmp_path: Path) -> tuple[Path, Path]:
    db = tmp_path / "w.db"
    (tmp_path / "watch.yaml").write_text(WATCH, encoding="utf-8")
    config = tmp_path / "wirewatch.yaml"
    config.write_text(
        f"store: {db}\nrules: [watch.yaml]\nchannels:\n  hook: {{type: console}}\n",
        encoding="utf-8",
    )
    store = open_store(db)
    texts = [
        (2, "Putin telefonierte mit Kim Jong Un."),
        (2, "Moskau und Pjöngjang vereinbaren Zusammenarbeit."),
        (2, "Der Kreml schweigt."),
        (1, "Nordkorea testet eine Rakete."),
        (40, "Russland und Nordkorea, vor langer Zeit."),
    ]
    for n, (days, text) in enumerate(texts):
        published = NOW - timedelta(days=days)
        article = Article(
            hashlib.sha1(text.encode()).hexdigest(),
            "file:///f.xml",
            f"https://x.example/{n}",
            f"Title {n}",
            text,
            published_at=published,
            lang="de",
        )
        store.record_article(article, [], published)
    store.close()
    return config, db


def test_backtest_prints_fires_per_day_and_writes_nothing(tmp_path: Path) -> None:
    config, db = setup(tmp_path)
    result = wirewatch("backtest", "ru-kp", "--since", "30d", "-c", str(config))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "4 articles, would have fired 2 times (nothing sent)" in out
    day2 = (NOW - timedelta(days=2)).date().isoformat()
    day1 = (NOW - timedelta(days=1)).date().isoformat()
    assert f"{day2}         3      2" in out
    assert f"{day1}         1      0" in out
    assert "Title 0" in out and "Title 1" in out and "Title 4" not in out
    assert "matching" in result.stderr  # the progress bar
    store = open_store(db)
    assert store.counts()["hits"] == 0 and store.counts()["pending"] == 0
    store.close()


def test_backtest_names_unknown_watches_and_bad_durations(tmp_path: Path) -> None:
    config, _ = setup(tmp_path)
    result = wirewatch("backtest", "ru-kq", "-c", str(config))
    assert result.returncode == 1
    assert "no watch 'ru-kq' (known: ru-kp)" in result.stderr
    assert "Traceback" not in result.stderr
    result = wirewatch("backtest", "ru-kp", "--since", "a while", "-c", str(config))
    assert result.returncode == 1 and "--since:" in result.stderr
    result = wirewatch("backtest", "ru-kp", "--db", str(tmp_path / "none.db"), "-c", str(config))
    assert result.returncode == 1 and "no such database" in result.stderr
    assert not (tmp_path / "none.db").exists()


def test_backtest_runs_a_relation_watch_and_shows_its_cue_words(tmp_path: Path) -> None:
    config, _ = setup(tmp_path)
    (tmp_path / "watch.yaml").write_text(
        "watches:\n  - id: ru-kp\n    pair: [RUS, PRK]\n    relation: cooperation\n"
        "    scope: {sentences: 2}\n",
        encoding="utf-8",
    )
    result = wirewatch("backtest", "ru-kp", "--since", "30d", "-c", str(config))
    assert result.returncode == 0, result.stderr
    assert "4 articles, would have fired 2 times (nothing sent)" in result.stdout
    assert "PRK+RUS: verbal_cooperation (telefonierte)" in result.stdout
    assert "PRK+RUS: verbal_cooperation (vereinbaren, Zusammenarbeit)" in result.stdout
