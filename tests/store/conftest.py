"""One store fixture, run against every backend: the store's contract suite."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from store import StoreAPI
from store import open_store as open_target

# `store_target` (a SQLite file, or an empty PostgreSQL schema) is in tests/conftest.py.


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
