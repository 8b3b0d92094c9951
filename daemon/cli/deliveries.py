"""`wirewatch deliveries`: the outbox by status, disabled destinations, replaying dead letters."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from daemon.alerts.sanitize import json_text, terminal
from daemon.cli.options import USER_ERROR, config_option, db_option, open_store
from store import DeliveryJob
from store.codec import ts

STATUSES = ("pending", "sent", "dead")


def job_json(job: DeliveryJob) -> dict[str, object]:
    """The public JSON shape of one delivery (keys are only ever added)."""
    return {
        "id": job.id,
        "webhook_id": job.idempotency_key,
        "channel": job.channel,
        "status": job.status,
        "kind": job.kind,
        "digest": job.digest,
        "attempts": job.attempts,
        "created_at": ts(job.created_at),
        "next_attempt_at": ts(job.next_attempt_at) if job.status == "pending" else None,
        "sent_at": ts(job.sent_at),
        "last_error": job.last_error,
        "watch": job.hit.watch_id,
        "hit_id": job.hit.id,
        "story_id": job.story_id,
        "article_url": job.hit.article_url,
    }


@click.group(invoke_without_command=True)
@config_option
@db_option
@click.option("--status", type=click.Choice(STATUSES), help="Only deliveries in this state.")
@click.option("--channel", help="Only deliveries to this channel.")
@click.option("--limit", default=50, show_default=True, help="How many, newest first.")
@click.option("--json", "as_json", is_flag=True, help="JSON lines instead of a table.")
@click.pass_context
def deliveries(
    ctx: click.Context,
    config_path: Path | None,
    db: str | None,
    status: str | None,
    channel: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """List alert deliveries (pending, sent, dead) and disabled destinations."""
    ctx.ensure_object(dict)
    ctx.obj.update(config_path=config_path, db=db)
    if ctx.invoked_subcommand:
        return
    store = open_store(config_path, db)
    rows = store.outbox(status, limit, channel)
    disabled = store.destinations()
    if as_json:
        for job in rows:
            click.echo(json_text(job_json(job)))
        return
    for d in disabled:
        click.echo(
            f"channel {d.channel} is DISABLED since {d.changed_at:%Y-%m-%d %H:%M} UTC: "
            f"{terminal(d.reason, 200, one_line=True)}"
            " (fix it, then: wirewatch deliveries retry --all)",
            err=True,
        )
    counts = store.status_counts()
    click.echo("  ".join(f"{s}={counts.get(s, 0)}" for s in STATUSES))
    if not rows:
        return
    click.echo(
        f"{'ID':>6}  {'STATUS':7}  {'CHANNEL':12}  {'KIND':13}  {'TRIES':>5}  "
        f"{'CREATED (UTC)':16}  {'NEXT TRY (UTC)':16}  WATCH / LAST ERROR"
    )
    for j in rows:
        kind = j.kind + ("+digest" if j.digest else "")
        nxt = f"{j.next_attempt_at:%Y-%m-%d %H:%M}" if j.status == "pending" else "-"
        click.echo(
            f"{j.id:>6}  {j.status:7}  {j.channel[:12]:12}  {kind:13}  {j.attempts:>5}  "
            f"{j.created_at:%Y-%m-%d %H:%M}  {nxt:16}  {j.hit.watch_id}"
            + (f"  ({terminal(j.last_error, 200, one_line=True)})" if j.last_error else "")
        )


@deliveries.command()
@click.argument("ids", nargs=-1, type=int)
@click.option("--all", "all_dead", is_flag=True, help="Every dead letter.")
@click.pass_context
def retry(ctx: click.Context, ids: tuple[int, ...], all_dead: bool) -> None:
    """Replay dead letters (by id, or --all) and re-enable their channels."""
    if bool(ids) == all_dead:
        click.echo("give delivery ids or --all (not both)", err=True)
        ctx.exit(USER_ERROR)
    store = open_store(ctx.obj["config_path"], ctx.obj["db"])
    count = store.retry_dead(None if all_dead else list(ids), datetime.now(UTC))
    click.echo(f"{count} dead letter(s) queued again; the daemon sends them on its next run")
    if ids and count < len(ids):
        click.echo(f"{len(ids) - count} id(s) were not dead letters", err=True)
        ctx.exit(USER_ERROR)
