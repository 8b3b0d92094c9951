"""Paths and logs as a systemd dynamic user sees them: no home, a read-only `/`, stderr
being the journal. Every lookup degrades to "no cache" with one notice; every error,
a crash's traceback included, reaches journald at priority 3.
"""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from daemon.runtime import paths
from daemon.runtime.logs import JournalFormatter, log_uncaught
from tests.support.service import write_config, write_feed


def test_cache_dir_without_a_home_is_no_cache_said_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pwd

    def no_entry(uid: int) -> pwd.struct_passwd:
        raise KeyError(f"getpwuid(): uid not found: {uid}")

    monkeypatch.setattr(pwd, "getpwuid", no_entry)
    monkeypatch.delenv("HOME", raising=False)
    paths._noticed.clear()
    with caplog.at_level(logging.WARNING, "daemon.runtime.paths"):
        assert paths.cache_dir({}) is None
        assert paths.cache_dir({}) is None
        assert paths.cache_dir({"WIREWATCH_CACHE_DIR": "~/c"}) is None
    notices = [r.getMessage() for r in caplog.records]
    assert notices == ["cache off: no home directory (set CacheDirectory= or WIREWATCH_CACHE_DIR)"]
    assert paths.cache_dir({"CACHE_DIRECTORY": str(tmp_path / "c")}) == tmp_path / "c"
    assert (tmp_path / "c").is_dir()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_cache_dir_in_a_read_only_home_is_no_cache(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    home.chmod(0o555)
    paths._noticed.clear()
    with caplog.at_level(logging.WARNING, "daemon.runtime.paths"):
        assert paths.cache_dir({"HOME": str(home)}) is None
    assert caplog.records[0].getMessage().startswith(f"cache off: {home}/.cache/wirewatch: ")


def test_cache_dir_in_a_read_only_folder_is_no_cache(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")  # a file where the folder should be: unwritable even for root
    paths._noticed.clear()
    with caplog.at_level(logging.WARNING, "daemon.runtime.paths"):
        assert paths.cache_dir({"XDG_CACHE_HOME": str(blocker)}) is None
    assert caplog.records[0].getMessage() == (
        f"cache off: {blocker}/wirewatch: Not a directory"
        " (set CacheDirectory= or WIREWATCH_CACHE_DIR)"
    )


def test_a_crash_traceback_is_logged_at_priority_3() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JournalFormatter())
    logger = logging.getLogger("wirewatch")
    logger.addHandler(handler)
    try:
        try:
            raise RuntimeError("Could not determine home directory.")
        except RuntimeError as e:
            log_uncaught(RuntimeError, e, e.__traceback__)
    finally:
        logger.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "<3>wirewatch: crashed: RuntimeError: Could not determine home directory."
    assert "<3>Traceback (most recent call last):" in lines
    assert all(line.startswith("<3>") for line in lines)


def test_user_errors_under_journald_are_priority_3(tmp_path: Path) -> None:
    """`check` with a broken rule, stderr being the journal stream: `<3>file:line:col`."""
    cfg = write_config(tmp_path)
    write_feed(tmp_path / "feed.xml", [])
    (tmp_path / "rules.d" / "w.yaml").write_text('version: "1"\nwatches:\n  - id: x\n    al: [A]\n')
    err = tmp_path / "stderr"
    with err.open("w") as f:
        st = os.fstat(f.fileno())
        done = subprocess.run(
            [sys.executable, "-m", "daemon.cli", "check", "--config", str(cfg)],
            stderr=f,
            stdout=subprocess.PIPE,
            env={
                **os.environ,
                "JOURNAL_STREAM": f"{st.st_dev}:{st.st_ino}",
                "WIREWATCH_CACHE_DIR": "",
            },
            timeout=120,
        )
    assert done.returncode == 1
    first = err.read_text().splitlines()[0]
    assert first.startswith(f"<3>{tmp_path / 'rules.d' / 'w.yaml'}:4:5: ")
