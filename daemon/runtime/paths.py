"""Where wirewatch keeps derived, disposable files (the parsed actor library)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


def cache_dir(env: Mapping[str, str] | None = None) -> Path | None:
    """$WIREWATCH_CACHE_DIR ('' turns caching off), systemd's $CACHE_DIRECTORY, else XDG."""
    env = os.environ if env is None else env
    if "WIREWATCH_CACHE_DIR" in env:
        value = env["WIREWATCH_CACHE_DIR"]
        return Path(value).expanduser() if value else None
    if env.get("CACHE_DIRECTORY"):
        return Path(env["CACHE_DIRECTORY"].split(":")[0])
    base = env.get("XDG_CACHE_HOME") or str(Path("~/.cache").expanduser())
    return Path(base) / "wirewatch"
