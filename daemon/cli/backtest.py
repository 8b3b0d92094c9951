"""`wirewatch backtest WATCH`: what a watch would have fired on stored articles.

Read only: the store is opened only if it exists, nothing is recorded and no
channel is contacted. The watch runs even if it is disabled (that is what
trying before enabling means).
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click

from daemon.cli.options import config_option, db_option, get_config, user_errors
from daemon.runtime.paths import cache_dir
from rules.duration import parse_duration
from rules.engine import Engine
from rules.load import RuleSet, load_rules
from rules.model import Article, Hit
from store import open_store


@dataclass
class Report:
    """Per day (the article's publication date; 'undated' without one)."""

    articles: Counter[str] = field(default_factory=Counter)
    fired: dict[str, list[tuple[Article, Hit]]] = field(default_factory=lambda: defaultdict(list))


def only_watch(rules: RuleSet, watch_id: str) -> RuleSet:
    """The rules with just one watch, enabled; a ClickException (exit 1) if unknown."""
    for w in rules.watches:
        if w.spec.id == watch_id:
            spec = w.spec.model_copy(update={"enabled": True})
            return RuleSet(rules.actors, (type(w)(spec, w.file, w.version),), rules.cues)
    known = ", ".join(sorted(w.spec.id for w in rules.watches)) or "none"
    raise click.ClickException(f"no watch '{watch_id}' (known: {known})")


def day_of(article: Article) -> str:
    """The UTC day an article was published, as YYYY-MM-DD."""
    if article.published_at is None:
        return "undated"
    return article.published_at.astimezone(UTC).date().isoformat()


def run_backtest(engine: Engine, articles: Iterable[Article], report: Report) -> None:
    """Match every article and tally it into `report`."""
    for article in articles:
        day = day_of(article)
        report.articles[day] += 1
        result = engine.match(
            article.text, lang=article.lang, article_id=article.id, source=article.feed_url
        )
        for hit in result.hits:
            report.fired[day].append((article, hit))


def print_report(report: Report, watch_id: str, since: datetime) -> None:
    """The per-day table, then each article the watch would have fired on."""
    total = sum(report.articles.values())
    fires = sum(len(v) for v in report.fired.values())
    click.echo(
        f"backtest {watch_id} since {since:%Y-%m-%d %H:%M} UTC: "
        f"{total} articles, would have fired {fires} times (nothing sent)"
    )
    if not total:
        return
    click.echo(f"{'DAY':10}  {'ARTICLES':>8}  {'FIRES':>5}")
    for day in sorted(report.articles):
        click.echo(f"{day:10}  {report.articles[day]:>8}  {len(report.fired.get(day, [])):>5}")
    for day in sorted(report.fired):
        click.echo(f"\n{day}")
        for article, hit in report.fired[day]:
            click.echo(f"  [{hit.severity}] {article.title[:80]}  {article.url or article.id}")
            e = hit.evidence[0]
            rel = e.relation
            how = f" {rel.cls} ({', '.join(c.text for c in rel.cues) or 'no cue'})" if rel else ""
            click.echo(f"      {'+'.join(e.actors)}:{how} {e.text[:120].replace(chr(10), ' ')}")


@click.command()
@click.argument("watch_id", metavar="WATCH")
@click.option("--since", default="30d", show_default=True, help="How far back, e.g. 7d, 12h.")
@config_option
@db_option
def backtest(watch_id: str, since: str, config_path: Path | None, db: str | None) -> None:
    """Run WATCH over stored articles and print what it would have fired, per day."""

    try:
        since_at = datetime.now(UTC) - timedelta(seconds=parse_duration(since))
    except ValueError as e:
        raise click.ClickException(f"--since: {e}") from e
    with user_errors():
        config = get_config(config_path, db)
        rules = only_watch(load_rules(config.rule_paths, cache_dir=cache_dir()), watch_id)
        if config.store != ":memory:" and not Path(config.store).exists():
            raise click.ClickException(f"{config.store}: no such database")
        store = open_store(config.store)
    engine = Engine(rules, cache_dir=cache_dir())
    report = Report()
    try:
        with click.progressbar(
            store.articles_since(since_at),
            label="matching",
            file=sys.stderr,
            show_pos=True,
            item_show_func=lambda a: day_of(a) if a is not None else None,
        ) as articles:
            run_backtest(engine, articles, report)
    finally:
        store.close()
    print_report(report, watch_id, since_at)
