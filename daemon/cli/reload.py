"""`wirewatch reload`: validate, signal the daemon, return once the reload has ended.

The unit's `ExecReload=`: systemd 252 ends `systemctl reload` when this exits,
so it exits only when the daemon has swapped the new config in (0) or kept the
old one (1, with each `file:line:col` problem on stderr). A config that fails
validation here is never sent to the daemon.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import NoReturn

import click

from daemon.cli.options import config_option
from daemon.cli.run import load_checked, reload_state_path
from daemon.runtime.logs import as_error
from daemon.runtime.reloads import generation_to_wait_for, read_state, wait_for
from rules.duration import parse_duration

FAILED = 1


def fail(message: str) -> NoReturn:
    """Print `message` as an error and exit 1."""
    click.echo(as_error(message), err=True)
    sys.exit(FAILED)


@click.command()
@config_option
@click.option(
    "--pid",
    type=int,
    envvar="MAINPID",
    help="The daemon's PID (default: $MAINPID, which systemd sets for ExecReload=).",
)
@click.option(
    "--timeout",
    "timeout",
    default="90s",
    show_default=True,
    help="How long to wait for the daemon to finish reloading.",
)
def reload(config_path: Path | None, pid: int | None, timeout: str) -> None:
    """Reload the running daemon's config and rules; exit 1 if they were rejected."""
    try:
        timeout_s = parse_duration(timeout)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--timeout") from e
    load_checked(config_path)  # a broken config stops here, with its file:line:col
    path = reload_state_path()
    before = read_state(path) if path else None
    pid = pid or (before.pid if before else None)
    if not pid:
        fail("no daemon to reload: give --pid (systemd sets $MAINPID for ExecReload=)")
    try:
        os.kill(pid, signal.SIGHUP)
    except OSError as e:
        fail(f"cannot signal pid={pid}: {e.strerror}")
    if path is None:
        click.echo(f"signalled pid={pid}; no runtime directory to follow the reload in")
        return
    state = wait_for(path, pid, generation_to_wait_for(before, pid), timeout_s)
    if state is None:
        fail(f"pid={pid} did not finish reloading within {timeout}")
    elif state.state != "ok":
        fail("\n".join(("reload rejected, the running config stays:", *state.errors)))
    else:
        click.echo(f"reloaded pid={pid}")
