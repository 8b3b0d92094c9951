"""`wirewatch init [DIR]`: a starter config and rules folder for a new installation."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from daemon.errors import DaemonError

DEFAULT_DIR = Path("/etc/wirewatch")

CONFIG = """\
# wirewatch configuration. `wirewatch check` validates it and every rule file.
# Relative paths are relative to this file's folder. Reload after editing with
# `systemctl reload wirewatch` (invalid files are rejected; the old set keeps running).
store: /var/lib/wirewatch/wirewatch.db
rules: [rules.d]                      # every *.yaml in rules.d/
feeds:
  - url: https://www.tagesschau.de/xml/rss2/   # http(s), file:// or a local path
    interval: 15m
    # lang: de                        # when the feed does not say
channels:
  console: {type: console}            # alerts to the journal (journalctl -u wirewatch)
  # ops:
  #   type: webhook
  #   url: https://hooks.example.org/wirewatch   # a secret: prefer a *_file setting
  #                                              # fed by LoadCredential= (see README)
poll: {tick: 5s, concurrency: 10, timeout: 30s}
http: {listen: "127.0.0.1:9187"}      # /metrics and /healthz; null turns them off
retention: {articles: 90d}            # hits and their evidence are always kept
"""

WATCH = """\
# A watch fires when its actors are named together. Actors (RUS, PRK, ...) come
# from the shipped library; add your own under `actors:` in any file here.
version: "1"
watches:
  - id: russia-north-korea
    title: Russia and North Korea together
    all: [RUS, PRK]                   # also: any, none
    scope: sentence                   # paragraph, article, or {within: 12} tokens
    severity: high
"""


class InitError(DaemonError):
    """`init` would overwrite files."""

    def __init__(self, paths: list[Path]) -> None:
        names = ", ".join(str(p) for p in paths)
        super().__init__(f"{names}: already exists; use --force to overwrite")
        self.paths = paths


def write_starter(folder: Path, *, force: bool = False) -> list[Path]:
    """Write wirewatch.yaml and rules.d/watches.yaml under `folder`; returns what was written."""
    files = {folder / "wirewatch.yaml": CONFIG, folder / "rules.d" / "watches.yaml": WATCH}
    existing = [p for p in files if p.exists()]
    if existing and not force:
        raise InitError(existing)
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(files)


@click.command()
@click.argument("folder", required=False, type=click.Path(path_type=Path), default=DEFAULT_DIR)
@click.option("--force", is_flag=True, help="Overwrite existing files.")
def init(folder: Path, force: bool) -> None:
    """Write a starter config and rules.d/ to FOLDER (default: /etc/wirewatch)."""
    try:
        written = write_starter(folder, force=force)
    except (DaemonError, OSError) as e:
        click.echo(str(e), err=True)
        sys.exit(1)
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(f"next: edit {written[0]}, then `wirewatch check --config {written[0]}`")
