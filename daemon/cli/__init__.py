"""The `wirewatch` command. The only place that turns errors into user output."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from pathlib import Path
from typing import Any

import click

from daemon.alerts.channels.base import highlight
from daemon.cli.backtest import backtest
from daemon.cli.copy import migrate
from daemon.cli.deliveries import deliveries
from daemon.cli.feeds import feeds
from daemon.cli.init import init
from daemon.cli.options import USER_ERROR, config_option, db_option, get_config, user_errors
from daemon.cli.schema import schema
from daemon.cli.status import backup, status
from daemon.runtime.logs import REDACTOR, secret_values, setup_logging
from daemon.runtime.paths import cache_dir
from rules.duration import parse_duration
from rules.engine import Engine
from rules.load import load_rules
from rules.model import MatchResult
from store import Store
from store.codec import evidence_dict, ts

log = logging.getLogger("wirewatch")


@click.group()
@click.option(
    "--log-level",
    default="INFO",
    envvar="WIREWATCH_LOG_LEVEL",
    show_default=True,
    help="DEBUG, INFO, WARNING or ERROR.",
)
@click.version_option(package_name="wirewatch")
def main(log_level: str) -> None:
    """wirewatch: watch news feeds for actors, in every language, and alert."""
    setup_logging(log_level, sys.stderr)


@main.command()
@config_option
@db_option
@click.option("--once", is_flag=True, help="Poll every feed once, deliver, and exit.")
@click.option(
    "--stop-grace",
    default="20s",
    envvar="WIREWATCH_STOP_GRACE",
    show_default=True,
    help="On SIGTERM, how long running polls and deliveries may finish (< TimeoutStopSec).",
)
def run(config_path: Path | None, db: str | None, once: bool, stop_grace: str) -> None:
    """Run the daemon (poll feeds, match, record, alert)."""
    from daemon.runtime.loop import run_forever
    from daemon.runtime.service import Service

    try:
        grace_s = parse_duration(stop_grace)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--stop-grace") from e

    def build() -> Service:
        config = get_config(config_path, db)
        REDACTOR.add(secret_values(config.channels.values()))
        return Service(config)

    async def go() -> None:
        with user_errors():
            service = build()
        try:
            if once:
                reports = await service.run_once()
                failed = [r for r in reports if not r.ok]
                log.info("poll done feeds=%d failed=%d", len(reports), len(failed))
            else:
                with user_errors():
                    service = await run_forever(service, reload=build, grace_s=grace_s)
        finally:
            await service.aclose()

    asyncio.run(go())


@main.command()
@config_option
def check(config_path: Path | None) -> None:
    """Validate the config and every rule file; exit 1 on any error."""
    with user_errors():
        config = get_config(config_path, None)
        rules = load_rules(config.rule_paths, cache_dir=cache_dir())
    click.echo(
        f"ok: {len(rules.actors)} actors, {len(rules.watches)} watches, "
        f"{len(config.feeds)} feeds, {len(config.channels)} channels"
    )


@main.command()
@click.option(
    "--rules",
    "rule_paths",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Rule file or folder (repeatable). Default: the shipped example watches.",
)
@click.option("--lang", help="Language of the texts (ISO 639-1); default: detected.")
@click.option(
    "--detect",
    "detect_langs",
    help="Comma-separated languages to detect among (default: the 14 tuned ones).",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per input, per line.")
@click.argument("files", nargs=-1, required=True)
def match(
    rule_paths: tuple[Path, ...],
    lang: str | None,
    detect_langs: str | None,
    as_json: bool,
    files: tuple[str, ...],
) -> None:
    """Match text files (or - for stdin) against rules and show what fires."""
    with user_errors():
        rules = load_rules(rule_paths, shipped_watches=not rule_paths, cache_dir=cache_dir())
    detect = [c.strip() for c in detect_langs.split(",") if c.strip()] if detect_langs else None
    engine = Engine(rules, languages=detect)
    status = 0
    for name in files:
        try:
            text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            click.echo(f"{name}: cannot read: {e}", err=True)
            status = USER_ERROR
            continue
        result = engine.match(text, lang=lang, source=name, all_actors=True)
        if as_json:
            click.echo(json.dumps(match_json(name, result), ensure_ascii=False))
        else:
            click.echo(explain(name, result, rules.actors))
    sys.exit(status)


def match_json(source: str, result: MatchResult) -> dict[str, Any]:
    """The public JSON shape of `wirewatch match --json` (extend only by adding keys)."""
    return {
        "source": source,
        "lang": result.lang,
        "actors": {
            actor: [{"text": m.text, "start": m.start, "end": m.end} for m in ms]
            for actor, ms in result.mentions.items()
        },
        "watches": [
            {
                "id": h.watch_id,
                "title": h.title,
                "severity": h.severity,
                "condition": h.condition,
                "rule_file": h.rule_file,
                "rule_version": h.rule_version,
                "evidence": [
                    {**evidence_dict(e), **({"score": e.score} if e.score is not None else {})}
                    for e in h.evidence
                ],
            }
            for h in result.hits
        ],
    }


def explain(source: str, result: MatchResult, actors: dict[str, Any]) -> str:
    """A readable account of a match: names found, watches fired and why."""
    bold = (click.style("", bold=True, reset=False), click.style("", reset=True))
    if not sys.stdout.isatty():
        bold = ("**", "**")
    lines = [f"{source} ({result.lang})"]
    if not result.mentions:
        lines.append("  no watched actor named")
    for actor, ms in result.mentions.items():
        name = actors[actor].name if actor in actors and actors[actor].name else actor
        names = list(dict.fromkeys(m.text for m in ms))
        lines.append(f"  {actor} ({name}): {len(ms)}x {', '.join(names)}")
    for h in result.hits:
        lines.append(f"  FIRES {h.watch_id} [{h.severity}]: {h.condition}")
        lines.append(f"    rule {h.rule_file} version {h.rule_version}")
        for e in h.evidence:
            spans = [(m.start, m.end) for m in e.mentions]
            text = highlight(e.text, e.start, spans, bold).replace("\n", " ")
            extra = f" terms: {', '.join(e.terms)}" if e.terms else ""
            extra += f" score {e.score:g}" if e.score is not None else ""
            lines.append(f"    {e.start}-{e.end} {'+'.join(e.actors)}:{extra} {text}")
    if result.mentions and not result.hits:
        lines.append("  no watch fires")
    return "\n".join(lines)


@main.command()
@config_option
@db_option
@click.option("--limit", default=20, show_default=True, help="How many, newest first.")
@click.option("--watch", "watch_id", help="Only hits of this watch.")
@click.option("--json", "as_json", is_flag=True, help="JSON lines instead of a table.")
def hits(
    config_path: Path | None, db: str | None, limit: int, watch_id: str | None, as_json: bool
) -> None:
    """List recorded hits with their evidence."""
    with user_errors():
        store = Store.open(get_config(config_path, db).store)
    rows = store.hits(limit, watch_id)
    if as_json:
        for h in rows:
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


# Commands that live in their own modules register here, one line each:
# main.add_command(module.command)
main.add_command(schema)
main.add_command(backtest)
main.add_command(feeds)
main.add_command(deliveries)
main.add_command(init)
main.add_command(backup)
main.add_command(status)
main.add_command(migrate)

if __name__ == "__main__":
    main()
