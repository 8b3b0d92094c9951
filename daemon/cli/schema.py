"""`wirewatch schema`: the JSON Schema of rule files, for editors."""

from __future__ import annotations

import json
from pathlib import Path

import click

from rules.spec import rules_schema


@click.command()
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the schema to this file instead of stdout.",
)
def schema(output: Path | None) -> None:
    """Print the JSON Schema of rule files (point your editor's YAML plugin at it)."""
    text = json.dumps(rules_schema(), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as e:
        raise click.ClickException(f"{output}: cannot write: {e.strerror or e}") from e
    click.echo(f"wrote {output}", err=True)
