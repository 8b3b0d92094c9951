"""`wirewatch hits`: recorded hits with their evidence."""

from __future__ import annotations

import json
from pathlib import Path

import click

from daemon.cli.options import config_option, db_option, open_store
from daemon.cli.stories import article_json, echo_story, why
from store.codec import evidence_dict, ts


@click.command()
@config_option
@db_option
@click.option("--limit", default=20, show_default=True, help="How many, newest first.")
@click.option("--watch", "watch_id", help="Only hits of this watch.")
@click.option("--story", "story_id", type=int, help="Show this story's articles and why.")
@click.option("--json", "as_json", is_flag=True, help="JSON lines instead of a table.")
def hits(
    config_path: Path | None,
    db: str | None,
    limit: int,
    watch_id: str | None,
    story_id: int | None,
    as_json: bool,
) -> None:
    """List recorded hits with their evidence and why each article is in its story."""
    store = open_store(config_path, db)
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
                json.dumps(
                    {
                        "id": h.id,
                        "watch": h.watch_id,
                        "severity": h.severity,
                        "created_at": ts(h.created_at),
                        "article": {
                            "id": h.article_id,
                            "title": h.article_title,
                            "url": h.article_url,
                            "feed": h.feed_url,
                            "lang": h.lang,
                        },
                        "evidence": [evidence_dict(e) for e in h.evidence],
                        "story": article_json(a) if a else None,
                    },
                    ensure_ascii=False,
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
            f"{(h.lang or '?'):4}  {h.article_title[:60]}"
        )
        if h.evidence:
            e = h.evidence[0]
            click.echo(f"{'':7}{'+'.join(e.actors)}: {e.text[:100].replace(chr(10), ' ')}")
        a = joins.get(h.article_id)
        if a and a.story_id is not None:
            click.echo(f"{'':7}story {a.story_id}: {why(a)}")
