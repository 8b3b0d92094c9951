"""What every command shares: options, finding the config, and turning our errors
into a message and exit code 1 (no traceback)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from daemon.alerts.sanitize import terminal
from daemon.errors import DaemonError
from daemon.runtime.logs import as_error
from rules.errors import RulesError
from store import StoreError

if TYPE_CHECKING:
    from daemon.config import Config
    from store import StoreAPI

# daemon.config (every channel's settings, ~0.35 s) and the store are imported by
# the commands that use them: `match` and `check` start without them.

config_option = click.option(
    "--config",
    "-c",
    "config_path",
    type=click.Path(path_type=Path),
    help="Config file (default: $WIREWATCH_CONFIG, else seeds/wirewatch.yaml).",
)
db_option = click.option(
    "--db", help="SQLite file or postgresql:// URL; overrides the config's store."
)

USER_ERROR = 1


@contextmanager
def user_errors() -> Iterator[None]:
    """Print our errors as plain messages (no traceback) and exit 1."""
    try:
        yield
    except (RulesError, StoreError, DaemonError) as e:
        click.echo(as_error(terminal(str(e))), err=True)  # messages may quote what a feed wrote
        sys.exit(USER_ERROR)


def find_config(path: Path | None) -> Path | None:
    """The config to use: --config, else $WIREWATCH_CONFIG, else seeds/ in the working dir."""
    if path is not None:
        return path
    env = os.environ.get("WIREWATCH_CONFIG")
    if env:
        return Path(env)
    from daemon.config import DEFAULT_CONFIG

    return DEFAULT_CONFIG if DEFAULT_CONFIG.exists() else None


def get_config(path: Path | None, db: str | None) -> Config:
    from daemon.config import load_config

    return load_config(find_config(path), db=db)


def open_store(config_path: Path | None, db: str | None) -> StoreAPI:
    """The store the config names; our errors become a message and exit 1."""
    from store import open_store as open_target

    with user_errors():
        return open_target(get_config(config_path, db).store)
