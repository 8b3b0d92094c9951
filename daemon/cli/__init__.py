"""The `wirewatch` command. The only place that turns errors into user output.

Each command lives in its own module and is imported only when it runs (or when
its help is shown), so that `wirewatch hits` does not pay for spaCy or psycopg:
click's "lazily loading subcommands" pattern.
"""

from __future__ import annotations

import importlib
import sys

import click

from daemon.runtime.logs import setup_logging

# name -> "module:attribute"; one line per command.
COMMANDS: dict[str, str] = {
    "run": "daemon.cli.run:run",
    "check": "daemon.cli.run:check",
    "match": "daemon.cli.match:match",
    "hits": "daemon.cli.hits:hits",
    "stories": "daemon.cli.stories:stories",
    "backtest": "daemon.cli.backtest:backtest",
    "feeds": "daemon.cli.feeds:feeds",
    "deliveries": "daemon.cli.deliveries:deliveries",
    "status": "daemon.cli.status:status",
    "backup": "daemon.cli.status:backup",
    "init": "daemon.cli.init:init",
    "schema": "daemon.cli.schema:schema",
    "copy-store": "daemon.cli.copy:copy_store",
    "web": "daemon.cli.web:web",
    "mute": "daemon.cli.web:mute",
    "unmute": "daemon.cli.web:unmute",
}
# Old names still accepted, not listed.
ALIASES: dict[str, str] = {"migrate": "copy-store"}


class LazyGroup(click.Group):
    """A group whose commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(ALIASES.get(cmd_name, cmd_name))
        if target is None:
            return None
        module, attr = target.split(":")
        command = getattr(importlib.import_module(module), attr)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=LazyGroup)
@click.option(
    "--log-level",
    default="INFO",
    envvar="WIREWATCH_LOG_LEVEL",
    show_default=True,
    help="DEBUG, INFO, WARNING or ERROR.",
)
@click.version_option(package_name="wirewatch")
def main(log_level: str) -> None:
    """wirewatch: watch news feeds for actors, in every language, and alert."""
    setup_logging(log_level, sys.stderr)
