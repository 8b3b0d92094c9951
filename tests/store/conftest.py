"""One store fixture, run against every backend: the store's contract suite."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from store import StoreAPI
from store import open_store as open_target
from tests.support.pg import fresh_schema

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def store_target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Where a fresh store lives: a SQLite file, or an empty PostgreSQL schema."""
    if request.param == "sqlite":
        yield str(tmp_path / "var" / "wirewatch.db")
    else:
        with fresh_schema() as url:
            yield url


@pytest.fixture
def open_store(store_target: str) -> Iterator[Callable[[], StoreAPI]]:
    """Open the test's store (again: a second daemon's connection); closed at the end."""
    opened: list[StoreAPI] = []

    def open_() -> StoreAPI:
        opened.append(open_target(store_target))
        return opened[-1]

    yield open_
    for s in opened:
        s.close()


@pytest.fixture
def store(open_store: Callable[[], StoreAPI]) -> StoreAPI:
    """A fresh, migrated store of each backend."""
    return open_store()
