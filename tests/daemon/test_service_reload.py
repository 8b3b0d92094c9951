"""`wirewatch reload` (the unit's ExecReload=) against the real daemon.

The reload must return only once the new config is in force, fail when it was
rejected, and never send a config that fails validation to the daemon.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from daemon.runtime.reloads import ReloadState, generation_to_wait_for, read_state, write_state
from tests.support.cli import wirewatch
from tests.support.service import (
    FIXED_SCHEDULE,
    START_TIMEOUT_S,
    TOGETHER,
    Daemon,
    write_config,
    write_feed,
    write_watch,
)


@pytest.mark.slow
def test_reload_returns_once_in_force_and_fails_when_rejected(tmp_path: Path) -> None:
    rules = tmp_path / "rules.d"
    rules.mkdir()
    write_watch(rules / "watch.yaml", "pair-v1")
    write_feed(tmp_path / "feed.xml", [("one", TOGETHER)])
    cfg = write_config(tmp_path)
    run_dir = tmp_path / "run"
    env = {"WIREWATCH_RUNTIME_DIR": str(run_dir), "WIREWATCH_CACHE_DIR": str(tmp_path / "cache")}
    # No notify socket: one the test did not drain would block the daemon's sends.
    with Daemon(cfg, env, tmp_path / "out.txt") as d:
        d.wait_log("running", timeout_s=START_TIMEOUT_S)
        assert read_state(run_dir / "reload.json") == ReloadState(d.proc.pid, 0, "ok")
        for generation in (1, 2):
            feeds = generation + 1
            write_feed(tmp_path / f"feed{feeds}.xml", [(f"n{feeds}", TOGETHER)])
            cfg.write_text(
                cfg.read_text().replace(
                    "feeds:\n",
                    f"feeds:\n  - {{url: feed{feeds}.xml, interval: 1s{FIXED_SCHEDULE}}}\n",
                )
            )
            done = wirewatch("reload", "--config", str(cfg), "--pid", str(d.proc.pid), env=env)
            assert done.returncode == 0, done.stderr
            assert done.stdout == f"reloaded pid={d.proc.pid}\n"
            # In force when the command returned: the daemon swaps, then writes the state.
            assert read_state(run_dir / "reload.json") == ReloadState(d.proc.pid, generation, "ok")
            d.wait_log(f"reloaded feeds={feeds} watches=1")

        (rules / "watch.yaml").write_text((rules / "watch.yaml").read_text().replace("all:", "al:"))
        mark = len(d.lines)
        bad = wirewatch("reload", "--config", str(cfg), "--pid", str(d.proc.pid), env=env)
        assert bad.returncode == 1
        assert f"{rules / 'watch.yaml'}:4:5: unknown key 'al'" in bad.stderr
        assert read_state(run_dir / "reload.json") == ReloadState(d.proc.pid, 2, "ok")
        assert not any("reloading" in x for x in d.lines[mark:])  # never sent

        d.signal(signal.SIGTERM)
        assert d.wait() == 0


@pytest.mark.slow
def test_reload_without_a_daemon_says_so(tmp_path: Path) -> None:
    cfg = write_config(tmp_path)
    write_feed(tmp_path / "feed.xml", [])
    env = {"WIREWATCH_RUNTIME_DIR": str(tmp_path / "run"), "WIREWATCH_CACHE_DIR": ""}
    env_no_pid = {**env, "MAINPID": ""}
    out = wirewatch("reload", "--config", str(cfg), env=env_no_pid)
    assert out.returncode == 1
    assert "no daemon to reload: give --pid" in out.stderr
    assert "Traceback" not in out.stderr


def test_a_reload_under_way_means_waiting_for_the_next_one(tmp_path: Path) -> None:
    state = tmp_path / "reload.json"
    assert generation_to_wait_for(None, 7) == 1
    write_state(state, ReloadState(7, 3, "reloading"))
    assert generation_to_wait_for(read_state(state), 7) == 5
    write_state(state, ReloadState(7, 3, "rejected", ("a.yaml:1:1: bad",)))
    assert read_state(state) == ReloadState(7, 3, "rejected", ("a.yaml:1:1: bad",))
    assert generation_to_wait_for(read_state(state), 7) == 4
    assert generation_to_wait_for(read_state(state), 8) == 1  # another process: its first
    state.write_text("{not json")
    assert read_state(state) is None
