"""`wirewatch stories`: the latest stories, or one story's articles and why each joined."""

from __future__ import annotations

import json
from pathlib import Path

import click

from daemon.cli.options import config_option, db_option, open_store
from rules.fingerprint import KIND_NAMES
from store import StoreAPI, StoryArticle
from store.codec import ts


def why(article: StoryArticle) -> str:
    """How an article joined its story, in words: the shared parts, heaviest first."""
    if article.method == "new":
        return "first report"
    parts = ", ".join(
        f"{KIND_NAMES.get(p.split(':', 1)[0], 'part')} {label or p} ({w:.1f})"
        for p, w, label in article.shared[:6]
        if w > 0
    )
    how = "near-copy (SimHash)" if article.method == "simhash" else f"event {article.score:.1f}"
    return f"{how}: {parts}" if parts else how


def article_json(a: StoryArticle) -> dict[str, object]:
    """One article of a story, for --json."""
    return {
        "story": a.story_id,
        "article": a.article_id,
        "title": a.title,
        "url": a.url,
        "lang": a.lang,
        "outlet": a.outlet,
        "published_at": ts(a.published_at),
        "joined_by": a.method,
        "score": a.score,
        "shared": [{"part": p, "weight": w, "text": label} for p, w, label in a.shared],
    }


def echo_story(store: StoreAPI, story_id: int, as_json: bool) -> None:
    """Print a story's articles with their language, outlet and why they joined."""
    articles = store.story_articles(story_id)
    if not articles:
        raise click.ClickException(f"no story {story_id}")
    if as_json:
        for a in articles:
            click.echo(json.dumps(article_json(a), ensure_ascii=False))
        return
    langs = sorted({a.lang or "?" for a in articles})
    outlets = sorted({a.outlet for a in articles})
    click.echo(
        f"story {articles[0].story_id}: {len(articles)} articles, "
        f"{len(langs)} languages ({' '.join(langs)}), {len(outlets)} outlets"
    )
    for a in articles:
        when = f"{a.published_at:%Y-%m-%d %H:%M}" if a.published_at else "?" * 16
        click.echo(f"  {when}  {(a.lang or '?'):4}  {a.outlet[:28]:28}  {a.title[:70]}")
        click.echo(f"{'':8}{why(a)}")


@click.command()
@config_option
@db_option
@click.argument("story_id", required=False, type=int)
@click.option("--limit", default=20, show_default=True, help="How many stories, newest first.")
@click.option("--json", "as_json", is_flag=True, help="JSON lines instead of a table.")
def stories(
    config_path: Path | None, db: str | None, story_id: int | None, limit: int, as_json: bool
) -> None:
    """List the latest stories, or show one story's articles and why each joined."""
    store = open_store(config_path, db)
    if story_id is not None:
        echo_story(store, story_id, as_json)
        return
    rows = store.recent_stories(limit)
    if as_json:
        for sid, n, title in rows:
            click.echo(json.dumps({"story": sid, "articles": n, "title": title}))
        return
    if not rows:
        click.echo("no stories")
        return
    click.echo(f"{'STORY':>6}  {'ARTICLES':>8}  FIRST REPORT")
    for sid, n, title in rows:
        click.echo(f"{sid:>6}  {n:>8}  {title[:80]}")
