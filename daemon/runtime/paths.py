"""Where wirewatch keeps derived, disposable files (the parsed actor library) and
its runtime state (the outcome of the last reload, read by `wirewatch reload`).

Every lookup here degrades: a service without a home directory (systemd's
`DynamicUser=` without libnss-systemd), a read-only home (`ProtectSystem=strict`
makes the dynamic user's `/` read-only) or a missing directory means "no cache",
said once in the log, never a crash. A cache only costs speed when missing.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path

log = logging.getLogger(__name__)

_noticed: set[str] = set()


def cache_dir(env: Mapping[str, str] | None = None) -> Path | None:
    """$WIREWATCH_CACHE_DIR ('' turns caching off), systemd's $CACHE_DIRECTORY, else XDG.

    None (and one logged notice) when that folder cannot be found or written.
    """
    env = os.environ if env is None else env
    if "WIREWATCH_CACHE_DIR" in env:
        value = env["WIREWATCH_CACHE_DIR"]
        if not value:
            return None  # turned off on purpose: nothing to say
        found = expand_home(value)
    elif env.get("CACHE_DIRECTORY"):
        found = Path(env["CACHE_DIRECTORY"].split(":")[0])
    elif env.get("XDG_CACHE_HOME"):
        found = Path(env["XDG_CACHE_HOME"]) / "wirewatch"
    else:
        home = home_dir(env)
        found = home / ".cache" / "wirewatch" if home else None
    if found is None:
        notice("cache off: no home directory (set CacheDirectory= or WIREWATCH_CACHE_DIR)")
        return None
    problem = writable_problem(found)
    if problem:
        notice(f"cache off: {found}: {problem} (set CacheDirectory= or WIREWATCH_CACHE_DIR)")
        return None
    return found


def runtime_dir(env: Mapping[str, str] | None = None) -> Path | None:
    """$WIREWATCH_RUNTIME_DIR, systemd's $RUNTIME_DIRECTORY, else $XDG_RUNTIME_DIR/wirewatch."""
    env = os.environ if env is None else env
    if env.get("WIREWATCH_RUNTIME_DIR"):
        return expand_home(env["WIREWATCH_RUNTIME_DIR"])
    if env.get("RUNTIME_DIRECTORY"):
        return Path(env["RUNTIME_DIRECTORY"].split(":")[0])
    if env.get("XDG_RUNTIME_DIR"):
        return Path(env["XDG_RUNTIME_DIR"]) / "wirewatch"
    return None


def home_dir(env: Mapping[str, str] | None = None) -> Path | None:
    """$HOME, else the passwd entry of our uid; None when neither exists (a dynamic user)."""
    env = os.environ if env is None else env
    if env.get("HOME"):
        return Path(env["HOME"])
    try:
        import pwd

        return Path(pwd.getpwuid(os.getuid()).pw_dir)
    except (ImportError, KeyError):
        return None


def expand_home(value: str) -> Path | None:
    """`value` with a leading `~` expanded; None when it needs a home there is none of."""
    try:
        return Path(value).expanduser()
    except RuntimeError:  # "Could not determine home directory."
        return None


def writable_problem(folder: Path) -> str | None:
    """Why `folder` cannot hold our files (created if missing), or None."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        return e.strerror or type(e).__name__
    if not os.access(folder, os.W_OK | os.X_OK):
        return "not writable"
    return None


def notice(message: str) -> None:
    """Log `message` once per process."""
    if message not in _noticed:
        _noticed.add(message)
        log.warning("%s", message)
