"""`wirewatch feeds`: the feeds' health table, and adding, importing, exporting feeds.

The store is the source of truth for which feeds are polled: the daemon syncs
the config's feeds into it when it starts (origin `config`), and feeds added
here live only in the store (origin `cli`).
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from daemon.cli.options import get_config, user_errors
from daemon.config import Config, feed_source
from daemon.poll.discover import find_feed
from daemon.poll.opml import Outline, read_opml, write_opml
from store import FeedState, StoreAPI
from store import open_store as open_target
from store.codec import ts

DEFAULT_INTERVAL_S = 900
Target = tuple[Path | None, str | None]  # --config and --db


def load(target: Target) -> Config:
    """The config `wirewatch feeds` works on, found as every command finds it."""
    return get_config(*target)


def open_store(config: Config) -> StoreAPI:
    """The config's store. Only the daemon syncs the config's feeds into it: a command
    run with another config (or none) must not retire the feeds a daemon polls."""
    return open_target(config.store)


@click.group(invoke_without_command=True)
@click.option(
    "--config",
    "-c",
    "config_path",
    type=click.Path(path_type=Path),
    help="Config file (default: $WIREWATCH_CONFIG, else seeds/wirewatch.yaml).",
)
@click.option("--db", help="SQLite file; overrides the config's store.")
@click.option("--json", "as_json", is_flag=True, help="JSON (one array) instead of a table.")
@click.option("--all", "show_all", is_flag=True, help="Include retired and removed feeds.")
@click.pass_context
def feeds(
    ctx: click.Context, config_path: Path | None, db: str | None, as_json: bool, show_all: bool
) -> None:
    """Show every feed's health; add, import or export feeds."""
    ctx.obj = (config_path, db)
    if ctx.invoked_subcommand is not None:
        return
    with user_errors():
        store = open_store(load((config_path, db)))
    rows = store.feeds(active=not show_all)
    if as_json:
        click.echo(json.dumps([feed_json(f) for f in rows], ensure_ascii=False, indent=2))
    else:
        click.echo(health_table(rows))


def feed_json(f: FeedState) -> dict[str, Any]:
    """The public JSON shape of one feed (extend only by adding keys)."""
    return {
        "url": f.url,
        "effective_url": f.fetch_url,
        "title": f.title,
        "origin": f.origin,
        "status": f.status,
        "health": f.health,
        "error_class": f.error_class,
        "error": f.error,
        "error_count": f.error_count,
        "errors_total": f.errors_total,
        "last_error_at": ts(f.last_error_at),
        "last_success_at": ts(f.last_success_at),
        "last_polled_at": ts(f.last_polled_at),
        "next_poll_at": ts(f.next_poll_at),
        "interval_s": f.poll_interval_s or f.interval_s,
        "items_per_day": round(f.items_per_day, 2) if f.items_per_day is not None else None,
    }


def _when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else "-"


def health_table(rows: list[FeedState]) -> str:
    """A table for people: status, last success, last error, next poll, items per day."""
    if not rows:
        return "no feeds"
    lines = [f"{'STATUS':9} {'LAST OK (UTC)':16}  {'NEXT POLL (UTC)':16}  {'/DAY':>6}  FEED"]
    for f in rows:
        per_day = f"{f.items_per_day:6.1f}" if f.items_per_day is not None else f"{'-':>6}"
        status = f.status + ("!" if f.health else "")
        lines.append(
            f"{status:9} {_when(f.last_success_at):16}  {_when(f.next_poll_at):16}  "
            f"{per_day}  {f.url}"
        )
        if f.effective_url and f.effective_url != f.url:
            lines.append(f"{'':55}now at {f.effective_url}")
        if f.error_class and f.status != "ok":
            error = f"{f.error_class}: {f.error or ''}"[:100]
            count = f" (x{f.error_count} since {_when(f.error_since)})" if f.error_count else ""
            lines.append(f"{'':55}{error}{count}")
    return "\n".join(lines)


@feeds.command()
@click.argument("url")
@click.option("--interval", default=DEFAULT_INTERVAL_S, show_default=True, help="Seconds.")
@click.pass_obj
def add(obj: Target, url: str, interval: int) -> None:
    """Add a feed by its URL, or by a page that announces one (<link rel=alternate>)."""
    with user_errors():
        config = load(obj)
        source = feed_source(Path.cwd(), url)
        feed_url, title = asyncio.run(find_feed(source, config.poll.fetch_limits()))
        store = open_store(config)
        added = store.add_feed(feed_url, interval, datetime.now(UTC), title)
    found = f" (found on {url})" if feed_url != source else ""
    verb = "added" if added else "already polled"
    click.echo(f"{verb}: {feed_url}{found}" + (f" - {title}" if title else ""))


@feeds.command(name="import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--interval", default=DEFAULT_INTERVAL_S, show_default=True, help="Seconds.")
@click.pass_obj
def import_(obj: Target, file: Path, interval: int) -> None:
    """Add every feed of an OPML file."""
    with user_errors():
        outlines = read_opml(file)
        store = open_store(load(obj))
    now = datetime.now(UTC)
    added = sum(store.add_feed(o.url, interval, now, o.title) for o in outlines)
    click.echo(f"imported {added} feeds from {file} ({len(outlines) - added} already polled)")


@feeds.command()
@click.pass_obj
def export(obj: Target) -> None:
    """Write every polled feed as OPML to stdout."""
    with user_errors():
        store = open_store(load(obj))
    click.echo(write_opml(Outline(f.url, f.title) for f in store.feeds(active=True)))
