"""The CLI reference page (docs/cli.md), generated from the commands' own `--help`.

`python -m daemon.cli.reference > docs/cli.md` rewrites it; tests/test_docs.py
fails when the committed page differs from what this prints. The help is
formatted by click itself at a fixed width, so the page does not depend on the
terminal it was made in.
"""

from __future__ import annotations

from collections.abc import Iterator

import click

WIDTH = 88
HEADER = """\
# CLI reference

Every `wirewatch` command with its `--help`, generated from the code by
`python -m daemon.cli.reference > docs/cli.md` (do not edit this page by hand;
`tests/test_docs.py` fails when it is out of date).
"""


def walk(
    command: click.Command, name: str = "wirewatch", parent: click.Context | None = None
) -> Iterator[tuple[str, click.Context]]:
    """Each command's full name ("wirewatch feeds add") and context, depth first, sorted."""
    ctx = click.Context(
        command, info_name=name, parent=parent, terminal_width=WIDTH, max_content_width=WIDTH
    )
    yield ctx.command_path, ctx
    if isinstance(command, click.Group):
        for sub in command.list_commands(ctx):
            child = command.get_command(ctx, sub)
            if child is not None and not child.hidden:
                yield from walk(child, sub, ctx)


def reference(command: click.Command) -> str:
    """The Markdown page: one section per command, its help in a text block."""
    parts = [HEADER]
    for path, ctx in walk(command):
        help_text = ctx.command.get_help(ctx).rstrip()
        parts.append(f"## {path}\n\n```text\n{help_text}\n```\n")
    return "\n".join(parts)


def main() -> None:
    """Print the reference page to stdout."""
    from daemon.cli import main as wirewatch

    click.echo(reference(wirewatch), nl=False)


if __name__ == "__main__":
    main()
