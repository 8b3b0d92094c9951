"""Running the real `wirewatch` command in a subprocess."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.support.spawn import command

ROOT = Path(__file__).resolve().parents[2]


def wirewatch(
    *args: str, cwd: Path | None = None, input: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `wirewatch ARGS...` as a user would; capture output."""
    full_env = {**os.environ, "WIREWATCH_LOG_LEVEL": "INFO", **(env or {})}
    full_env.pop("WIREWATCH_CONFIG", None)
    return subprocess.run(
        command(*args),
        cwd=cwd or ROOT,
        input=input,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
    )
