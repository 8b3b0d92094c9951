"""The one way tests start `wirewatch` in a process of its own; such tests are `slow`.

`make test-fast` (pytest -m "not slow") is the edit-test loop: it must not pay
for a Python start-up and spaCy per test. A test that spawns the command
without `@pytest.mark.slow` fails here and says so, so the mark cannot be forgotten.
"""

from __future__ import annotations

import sys

import pytest

# Set by tests/conftest.py for each test as it runs.
current: pytest.Item | None = None


def command(*args: str) -> list[str]:
    """argv for `wirewatch ARGS...` under this interpreter; the running test must be slow."""
    if current is not None and current.get_closest_marker("slow") is None:
        pytest.fail(
            f"{current.nodeid} starts wirewatch in a process: mark it @pytest.mark.slow",
            pytrace=False,
        )
    return [sys.executable, "-m", "daemon.cli", *args]
