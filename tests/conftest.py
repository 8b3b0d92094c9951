from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import spawn
from tests.support.pg import fresh_schema
from tests.support.required import missing
from tests.support.servers import RecordingServer

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_ARTICLE = SEEDS / "000_1f078e3ac375ad18.txt"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def http_server() -> Iterator[RecordingServer]:
    srv = RecordingServer().start()
    yield srv
    srv.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Where a fresh store lives: a SQLite file, or an empty PostgreSQL schema."""
    if request.param == "sqlite":
        yield str(tmp_path / "var" / "wirewatch.db")
    else:
        with fresh_schema() as url:
            yield url


@pytest.fixture(autouse=True)
def note_current_test(request: pytest.FixtureRequest) -> Iterator[None]:
    """Lets tests/support/spawn.py see the running test's marks."""
    spawn.current = request.node
    yield
    spawn.current = None


@pytest.fixture
def anyio_backend() -> str:
    """anyio's pytest plugin runs `@pytest.mark.anyio` tests on asyncio only."""
    return "asyncio"


@pytest.fixture
def corpus_dir() -> Path:
    """The real-world feed corpus, read in place: WIREWATCH_CORPUS_DIR (CI sets it).

    A clone without ../shared skips the corpus tests with the reason; CI fails.
    """
    path = Path(os.environ.get("WIREWATCH_CORPUS_DIR", ROOT.parent / "shared/corpus/feeds"))
    if not path.is_dir():
        missing(f"feed corpus not found at {path}: set WIREWATCH_CORPUS_DIR")
    return path


@pytest.fixture(autouse=True)
def cache_in_tmp(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep the parsed-library cache out of the user's home during tests."""
    monkeypatch.setenv("WIREWATCH_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
