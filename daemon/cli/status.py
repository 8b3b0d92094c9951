"""`wirewatch backup PATH` and `wirewatch status`: operating an installation.

Retention itself runs in the daemon (daemon/runtime/jobs.py, `retention.articles`);
the SQL lives in store/housekeeping.py.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from daemon.alerts.sanitize import json_text, redact_url, terminal
from daemon.cli.options import config_option, db_option, open_store, user_errors
from store import FeedState, StoredHit, StoreStats
from store.codec import ts


@click.command()
@config_option
@db_option
@click.argument("target", type=click.Path(path_type=Path, dir_okay=False))
def backup(config_path: Path | None, db: str | None, target: Path) -> None:
    """Copy the live database to TARGET (SQLite online backup; safe while running)."""
    store = open_store(config_path, db)
    if target.resolve() == Path(store.path).resolve():
        store.close()
        click.echo(f"{target}: is the live database; choose another path", err=True)
        sys.exit(1)
    try:
        with user_errors():
            store.backup(target)
    finally:
        store.close()
    click.echo(f"backed up {store.path} to {target}")


@click.command()
@config_option
@db_option
@click.option("--hits", "hit_count", default=5, show_default=True, help="How many recent hits.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object instead of text.")
def status(config_path: Path | None, db: str | None, hit_count: int, as_json: bool) -> None:
    """Feeds ok and failing, the latest hits, and the outbox."""
    store = open_store(config_path, db)
    try:
        stats, feeds, hits = store.stats(), store.feeds(), store.hits(hit_count)
        dead = store.deliveries("dead", limit=5)
        mutes = store.mutes(datetime.now(UTC))
    finally:
        store.close()
    if as_json:
        doc = status_json(stats, feeds, hits)
        doc["mutes"] = [
            {
                "id": m.id,
                "kind": m.kind,
                "target": m.target,
                "until": ts(m.until),
                "reason": m.reason,
            }
            for m in mutes
        ]
        click.echo(json_text(doc))
        return
    click.echo(
        f"feeds: {len(feeds)}, failing {sum(f.status == 'failing' for f in feeds)} · "
        f"articles: {stats.articles} · hits: {stats.hits} · "
        f"outbox: {stats.pending} pending, {_count(stats, 'dead')} dead, "
        f"{_count(stats, 'sent')} sent"
    )
    for f in feeds:
        if f.status == "failing":
            click.echo(
                f"  FAILING {terminal(redact_url(f.url), one_line=True)} [{f.error_class}] "
                f"{f.error_count} failures, last ok {_when(f.last_success_at)}: "
                f"{terminal(f.error, 200, one_line=True)}"
            )
    if hits:
        click.echo("latest hits:")
    for h in hits:
        title = terminal(h.article_title, 70, one_line=True)
        click.echo(f"  {h.created_at:%Y-%m-%d %H:%M}  {h.watch_id}  {title}")
    for m in mutes:
        why = f": {terminal(m.reason, 200, one_line=True)}" if m.reason else ""
        target = terminal(m.target, 200, one_line=True)
        click.echo(f"  MUTED {m.kind} {target} until {m.until:%Y-%m-%d %H:%M} (id {m.id}){why}")
    for d in dead:
        error = terminal(d.last_error, 200, one_line=True)
        click.echo(f"  DEAD delivery {d.id} channel={d.channel}: {error}")


def _count(stats: StoreStats, status: str) -> int:
    return sum(n for (_, s), n in stats.deliveries.items() if s == status)


def _when(at: datetime | None) -> str:
    return f"{at:%Y-%m-%d %H:%M}" if at else "never"


def status_json(stats: StoreStats, feeds: list[FeedState], hits: list[StoredHit]) -> dict[str, Any]:
    """The shape of `wirewatch status --json` (extend only by adding keys)."""
    return {
        "feeds": [
            {
                "url": redact_url(f.url),
                "status": f.status,
                "error_class": f.error_class,
                "error": f.error,
                "error_count": f.error_count,
                "last_success_at": ts(f.last_success_at),
            }
            for f in feeds
        ],
        "articles": stats.articles,
        "hits": {"total": stats.hits, "by_watch": stats.hits_by_watch},
        "latest_hits": [
            {"id": h.id, "watch": h.watch_id, "title": h.article_title, "at": ts(h.created_at)}
            for h in hits
        ],
        "outbox": {status: _count(stats, status) for status in ("pending", "sent", "dead")},
    }
