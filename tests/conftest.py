from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import spawn
from tests.support.pg import fresh_schema
from tests.support.required import missing
from tests.support.servers import RecordingServer

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_ARTICLE = SEEDS / "000_1f078e3ac375ad18.txt"
DATA = Path(__file__).resolve().parent / "data"

# The files that take longest (a booted machine, daemons, many commands in processes), as
# measured with `--durations=0`, longest first. `make pytest` hands files to its workers in
# collection order (--no-loadscope-reorder): these go first and the short files fill in
# after, so the workers finish together instead of one starting a minute-long file last.
LONGEST_FIRST = (
    "tests/systemd/test_lifecycle.py",
    "tests/web/test_console.py",
    # one worker's: see ONE_WORKER
    "tests/rules/test_labelled.py",
    "tests/rules/test_languages.py",
    "tests/rules/test_presearch.py",
    "tests/daemon/test_service_lifecycle.py",
    "tests/hostile/test_items.py",
    "tests/hostile/test_channels.py",
    "tests/rules/test_relations.py",
    "tests/hostile/test_store_faults.py",
    "tests/daemon/test_stories_events.py",
    "tests/hostile/test_operator.py",
    "tests/daemon/test_fetch_poll.py",
    "tests/daemon/test_fetch_feeds_cli.py",
    "tests/daemon/test_alerts_crash.py",
    "tests/web/test_browser.py",
    "tests/daemon/test_match_output.py",
)

# Files that share a session fixture too dear to build on each worker go to one worker
# together (a scope of pytest-xdist's loadfile): the shipped library's engine, compiled
# in 47 languages (rules/conftest.py:library_engine), ~25 s of CPU a worker.
ONE_WORKER = dict.fromkeys(
    (
        "tests/rules/test_labelled.py",
        "tests/rules/test_languages.py",
        "tests/rules/test_presearch.py",
    ),
    "tests/rules:library_engine",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The files of LONGEST_FIRST first, then the rest by their number of tests, most
    first (pytest-xdist's own order); the tests of a file keep their order."""
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    sizes: dict[Path, int] = {}
    for item in items:
        sizes[item.path] = sizes.get(item.path, 0) + 1

    def key(item: pytest.Item) -> tuple[int, int]:
        name = item.path.relative_to(ROOT).as_posix() if item.path.is_relative_to(ROOT) else ""
        return rank.get(name, len(rank)), -sizes[item.path]

    items.sort(key=key)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`--dist loadfile`, with the files of ONE_WORKER as one scope."""
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class Scheduling(LoadFileScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            scope = str(super()._split_scope(nodeid))
            return ONE_WORKER.get(scope, scope)

    return Scheduling(config, log)


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
    """Keep the caches (the parsed library, the presearch's keys) out of the user's home
    during tests, in one folder for the whole run: WIREWATCH_TEST_CACHE_DIR (make pytest
    sets it for both passes), else the session's temporary folder, which its xdist workers
    share. Every file there is named by a digest of what made it and written whole."""
    folder = os.environ.get("WIREWATCH_TEST_CACHE_DIR")
    if not folder:
        base = tmp_path_factory.getbasetemp()
        folder = str((base.parent if "PYTEST_XDIST_WORKER" in os.environ else base) / "cache")
    monkeypatch.setenv("WIREWATCH_CACHE_DIR", folder)
