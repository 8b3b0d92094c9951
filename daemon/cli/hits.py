"""`wirewatch hits`: recorded hits with their evidence."""

from __future__ import annotations

from pathlib import Path

import click

from daemon.alerts.sanitize import json_text, redact_url, terminal
from daemon.cli.options import config_option, db_option, open_store
from daemon.cli.stories import article_json, echo_story, why
from store.codec import evidence_dict, ts
from store.model import PairCount
from store.relations import CLASSES, PERIODS


@click.command()
@config_option
@db_option
@click.option("--limit", default=20, show_default=True, help="How many, newest first.")
@click.option("--watch", "watch_id", help="Only hits of this watch.")
@click.option(
    "--pair",
    help="Two actor ids, e.g. RUS,PRK: stories per relation class and period instead of hits.",
)
@click.option(
    "--by",
    type=click.Choice(PERIODS),
    default="day",
    show_default=True,
    help="The period --pair counts by.",
)
@click.option("--story", "story_id", type=int, help="Show this story's articles and why.")
@click.option("--json", "as_json", is_flag=True, help="JSON lines instead of a table.")
def hits(
    config_path: Path | None,
    db: str | None,
    limit: int,
    watch_id: str | None,
    pair: str | None,
    by: str,
    story_id: int | None,
    as_json: bool,
) -> None:
    """List recorded hits with their evidence and stories, or a pair's relations (--pair)."""
    store = open_store(config_path, db)
    if pair is not None:
        show_pair(store.pair_counts(parse_pair(pair), by), by, as_json)
        return
    if story_id is not None:
        echo_story(store, story_id, as_json)
        return
    rows = store.hits(limit, watch_id)
    joins = {
        a.article_id: a for a in store.story_articles(article_ids=[h.article_id for h in rows])
    }
    if as_json:
        for h in rows:
            a = joins.get(h.article_id)
            click.echo(
                json_text(
                    {
                        "id": h.id,
                        "watch": h.watch_id,
                        "severity": h.severity,
                        "created_at": ts(h.created_at),
                        "article": {
                            "id": h.article_id,
                            "title": h.article_title,
                            "url": h.article_url,
                            "feed": redact_url(h.feed_url),
                            "lang": h.lang,
                        },
                        "evidence": [evidence_dict(e) for e in h.evidence],
                        "story": article_json(a) if a else None,
                    }
                )
            )
        return
    if not rows:
        click.echo("no hits")
        return
    click.echo(f"{'ID':>5}  {'WHEN (UTC)':16}  {'WATCH':24}  {'SEV':8}  {'LANG':4}  ARTICLE")
    for h in rows:
        click.echo(
            f"{h.id:>5}  {h.created_at:%Y-%m-%d %H:%M}  {h.watch_id[:24]:24}  {h.severity:8}  "
            f"{terminal(h.lang or '?', 4, one_line=True):4}  "
            f"{terminal(h.article_title, 60, one_line=True)}"
        )
        if h.evidence:
            e = h.evidence[0]
            click.echo(f"{'':7}{'+'.join(e.actors)}: {terminal(e.text, 100, one_line=True)}")
        a = joins.get(h.article_id)
        if a and a.story_id is not None:
            click.echo(f"{'':7}story {a.story_id}: {why(a)}")


def parse_pair(value: str) -> tuple[str, str]:
    """Two actor ids from 'RUS,PRK'; a usage error (exit 2) otherwise."""
    parts = [p.strip() for p in value.split(",") if p.strip()]
    if len(parts) != 2 or parts[0] == parts[1]:
        raise click.BadParameter("two different actor ids, e.g. RUS,PRK", param_hint="--pair")
    return parts[0], parts[1]


def show_pair(rows: list[PairCount], by: str, as_json: bool) -> None:
    """Stories per class and period: JSON lines, or a table."""
    if as_json:
        for r in rows:
            coop = r.counts["verbal_cooperation"] + r.counts["material_cooperation"]
            conflict = r.counts["verbal_conflict"] + r.counts["material_conflict"]
            click.echo(
                json_text(
                    {
                        by: r.period,
                        "pair": list(r.pair),
                        "stories": r.stories,
                        "counts": r.counts,
                        "cooperation": coop,
                        "conflict": conflict,
                    }
                )
            )
        return
    if not rows:
        click.echo("no relations recorded for this pair (only pair watches record them)")
        return
    heads = [c.replace("verbal_", "v_").replace("material_", "m_")[:14] for c in CLASSES]
    click.echo(f"{by.upper():10}  {'STORIES':>7}  " + "  ".join(f"{h:>14}" for h in heads))
    for r in rows:
        cells = "  ".join(f"{r.counts[c]:>14}" for c in CLASSES)
        click.echo(f"{r.period:10}  {r.stories:>7}  {cells}")
