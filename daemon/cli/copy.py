"""`wirewatch copy-store --to postgresql://...`: copy the SQLite store into PostgreSQL.

Formerly `wirewatch migrate`, a name that read as "apply schema migrations"; the old
name is still accepted. The source is the config's store (or --db); the target is migrated to the
current schema first. Idempotent: what is already there is left as it is, so
an interrupted copy is finished by running it again. Stop the daemon first:
what it writes during the copy may be left behind.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from daemon.cli.options import config_option, db_option, get_config, user_errors
from store import is_postgres, redact

if TYPE_CHECKING:
    from store.copy import Copied


@click.command("copy-store")
@config_option
@db_option
@click.option("--to", "target", required=True, help="The PostgreSQL database: a postgresql:// URL.")
def copy_store(config_path: Path | None, db: str | None, target: str) -> None:
    """Copy the SQLite store (feeds, articles, stories, hits, deliveries) into PostgreSQL."""
    if not is_postgres(target):
        raise click.ClickException(f"--to {target}: not a postgresql:// URL")

    with user_errors():
        source_path = get_config(config_path, db).store
        if is_postgres(source_path):
            raise click.ClickException(f"{redact(source_path)}: the store is PostgreSQL already")
        if not Path(source_path).is_file():
            raise click.ClickException(f"{source_path}: no such SQLite store")
        from store.copy import copy_store  # psycopg: only with the postgresql extra

        click.echo(f"copying {source_path} to {redact(target)}")
        copied = copy_store(source_path, target, _progress)
    total = sum(c.added for c in copied)
    click.echo(f"done: {total} rows added, {sum(c.rows for c in copied) - total} already there")


def _progress(c: Copied) -> None:
    click.echo(f"{c.table}: {c.rows} rows, {c.added} added")
