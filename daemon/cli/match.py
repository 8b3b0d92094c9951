"""`wirewatch match`: what fires on a text, and why."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from daemon.alerts.sanitize import defuse, json_text, terminal
from daemon.cli.options import USER_ERROR, user_errors
from daemon.runtime.paths import cache_dir
from rules.engine import Engine
from rules.load import load_rules
from rules.model import MatchResult, Relation
from store.codec import evidence_dict


@click.command()
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
    help="Comma-separated languages to detect among (default: every language with names).",
)
@click.option(
    "--all-actors",
    is_flag=True,
    help="Report every actor of the library, not only those the watches name (slower).",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per input, per line.")
@click.argument("files", nargs=-1, required=True)
def match(
    rule_paths: tuple[Path, ...],
    lang: str | None,
    detect_langs: str | None,
    all_actors: bool,
    as_json: bool,
    files: tuple[str, ...],
) -> None:
    """Match text files (or - for stdin) against rules and show what fires."""
    with user_errors():
        rules = load_rules(rule_paths, shipped_watches=not rule_paths, cache_dir=cache_dir())
    detect = [c.strip() for c in detect_langs.split(",") if c.strip()] if detect_langs else None
    engine = Engine(rules, languages=detect, cache_dir=cache_dir())
    status = 0
    for name in files:
        try:
            text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            click.echo(f"{name}: cannot read: {e}", err=True)
            status = USER_ERROR
            continue
        result = engine.match(text, lang=lang, source=name, all_actors=all_actors)
        if as_json:
            click.echo(json_text(match_json(name, result)))
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


def relation_note(r: Relation) -> str:
    """A relation in words: class, cue words, direction, sentences."""
    cues = ", ".join(f"{c.text} ({c.cls.replace('_', ' ')})" for c in r.cues)
    way = f"{r.source} -> {r.target}" if r.source else f"undirected ({r.how})"
    span = "1 sentence" if r.sentences == 1 else f"{r.sentences} sentences"
    return f" {r.cls.replace('_', ' ')}, {way}, {span}; cues: {cues}"


def explain(source: str, result: MatchResult, actors: dict[str, Any]) -> str:
    """A readable account of a match: names found, watches fired and why."""
    from daemon.alerts.channels.base import highlight  # the channels: not for --json

    bold = (click.style("", bold=True, reset=False), click.style("", reset=True))
    if not sys.stdout.isatty():
        bold = ("**", "**")
    lines = [f"{source} ({result.lang})"]
    if not result.mentions:
        lines.append("  no watched actor named")
    for actor, ms in result.mentions.items():
        name = actors[actor].name if actor in actors and actors[actor].name else actor
        names = list(dict.fromkeys(m.text for m in ms))
        lines.append(f"  {actor} ({name}): {len(ms)}x {terminal(', '.join(names), one_line=True)}")
    for h in result.hits:
        lines.append(f"  FIRES {h.watch_id} [{h.severity}]: {h.condition}")
        lines.append(f"    rule {h.rule_file} version {h.rule_version}")
        for e in h.evidence:
            spans = [(m.start, m.end) for m in e.mentions]
            # Defused before the bold marks go in: the marks are ours, the text is not.
            text = highlight(defuse(e.text), e.start, spans, bold).replace("\n", " ")
            extra = f" terms: {', '.join(e.terms)}" if e.terms and e.relation is None else ""
            extra += relation_note(e.relation) if e.relation is not None else ""
            extra += f" score {e.score:g}" if e.score is not None else ""
            lines.append(f"    {e.start}-{e.end} {'+'.join(e.actors)}:{extra} {text}")
    if result.mentions and not result.hits:
        lines.append("  no watch fires")
    return "\n".join(lines)
