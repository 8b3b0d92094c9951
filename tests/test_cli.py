"""Each command has help; commands are imported only when they run."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from daemon.cli import COMMANDS, main
from tests.support.cli import ROOT


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_command_has_help(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_main_help_lists_every_command_but_not_old_aliases() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in COMMANDS:
        assert command in result.output
    assert "migrate" not in result.output


@pytest.mark.parametrize("command", ["hits", "feeds", "status", "deliveries"])
def test_light_commands_do_not_import_spacy_or_psycopg(command: str) -> None:
    probe = (
        "import sys\n"
        "from daemon.cli import main\n"
        f"try:\n    main(['{command}', '--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('spacy', 'psycopg', 'lingua') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"
