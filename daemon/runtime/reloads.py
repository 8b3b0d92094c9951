"""The outcome of the daemon's reloads, as a file another process can wait on.

`systemctl reload` must return only once the new config is in force, and fail
when it was rejected. systemd 252 (Debian 12) ends a reload when `ExecReload=`
exits, so the command there (`wirewatch reload`) sends SIGHUP and then waits on
this file, which the daemon rewrites (atomically) when a reload begins and when
it ends: `{"pid", "generation", "state", "errors"}`. `generation` counts the
reloads finished by this process; `state` is `reloading`, `ok` or `rejected`.
Stdlib only; imports nothing of ours.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

FILENAME = "reload.json"
POLL_S = 0.05


@dataclass(frozen=True, slots=True)
class ReloadState:
    """Where the daemon's reloads stand."""

    pid: int
    generation: int = 0
    state: str = "ok"  # reloading | ok | rejected
    errors: tuple[str, ...] = field(default=())

    @property
    def is_reloading(self) -> bool:
        """A reload has begun and not ended."""
        return self.state == "reloading"


def write_state(path: Path | None, state: ReloadState) -> None:
    """Replace the file with `state`; a failure is logged, never raised (no runtime dir)."""
    if path is None:
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(asdict(state)), encoding="utf-8")
        tmp.replace(path)
    except OSError as e:
        log.debug("reload state not written path=%s error=%s", path, e)
        tmp.unlink(missing_ok=True)


def read_state(path: Path) -> ReloadState | None:
    """The state in the file; None when missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return ReloadState(
            int(data["pid"]),
            int(data["generation"]),
            str(data["state"]),
            tuple(str(e) for e in data.get("errors", ())),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def generation_to_wait_for(before: ReloadState | None, pid: int) -> int:
    """The generation that ends a reload requested now, given the state seen before.

    A reload already running when our signal arrives ends first with the files
    it read earlier; the daemon then runs one more for us.
    """
    if before is None or before.pid != pid:
        return 1
    return before.generation + (2 if before.is_reloading else 1)


def wait_for(path: Path, pid: int, generation: int, timeout_s: float) -> ReloadState | None:
    """The first state of `pid` at or past `generation` that is not `reloading`; None on timeout."""
    deadline = time.monotonic() + timeout_s
    while True:
        state = read_state(path)
        if (
            state is not None
            and state.pid == pid
            and state.generation >= generation
            and not state.is_reloading
        ):
            return state
        if time.monotonic() >= deadline:
            return None
        time.sleep(POLL_S)
