"""Click options that several commands share (cli.py and the command modules)."""

from __future__ import annotations

from pathlib import Path

import click

config_option = click.option(
    "--config",
    "-c",
    "config_path",
    type=click.Path(path_type=Path),
    help="Config file (default: $WIREWATCH_CONFIG, else seeds/wirewatch.yaml).",
)
db_option = click.option("--db", help="SQLite file; overrides the config's store.")
