"""Each command has help."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from daemon.cli import main


@pytest.mark.parametrize("command", sorted(main.commands))  # type: ignore[attr-defined]
def test_command_has_help(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output
