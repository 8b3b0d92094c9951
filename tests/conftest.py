from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

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


@pytest.fixture
def anyio_backend() -> str:
    """anyio's pytest plugin runs `@pytest.mark.anyio` tests on asyncio only."""
    return "asyncio"


@pytest.fixture
def corpus_dir() -> Path:
    """The real-world feed corpus; CI sets WIREWATCH_CORPUS_DIR."""
    path = Path(os.environ.get("WIREWATCH_CORPUS_DIR", ROOT.parent / "shared/corpus/feeds"))
    if not path.is_dir():
        pytest.fail(f"feed corpus not found at {path}: set WIREWATCH_CORPUS_DIR")
    return path


@pytest.fixture(autouse=True)
def cache_in_tmp(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep the parsed-library cache out of the user's home during tests."""
    monkeypatch.setenv("WIREWATCH_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
