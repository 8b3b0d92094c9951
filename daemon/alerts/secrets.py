"""Secrets for channels (webhook URLs, tokens, passwords, signing keys).

A secret setting `X` may be given as `X` (inline, for trying things out),
`X_env` (the name of an environment variable) or `X_file` (a file, e.g. one
that systemd's LoadCredential= put in $CREDENTIALS_DIRECTORY; a relative path
is taken relative to $CREDENTIALS_DIRECTORY when it is set). The value is
wrapped in `Secret`, whose repr and str never show it; it is never stored.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from daemon.errors import DaemonError

_VAR = re.compile(r"\$\{?CREDENTIALS_DIRECTORY\}?")


class SecretError(DaemonError):
    """A secret named in a channel's settings cannot be read."""

    def __init__(self, channel: str, key: str, reason: str) -> None:
        super().__init__(f"channel '{channel}': {key}: {reason}")
        self.channel = channel
        self.key = key


class Secret:
    """A secret value; shows as '***' in logs, reprs and tracebacks."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret itself, for the one place that needs it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


def resolve(
    channel: str,
    key: str,
    *,
    value: str | None,
    env_name: str | None,
    file: str | None,
    env: Mapping[str, str] | None = None,
    required: bool = True,
) -> Secret | None:
    """The secret `key` of `channel` from exactly one of: inline, env var, file."""
    env = os.environ if env is None else env
    given = [n for n, v in ((key, value), (f"{key}_env", env_name), (f"{key}_file", file)) if v]
    if len(given) > 1:
        raise SecretError(channel, key, f"give only one of {', '.join(given)}")
    if value:
        return Secret(value)
    if env_name:
        found = env.get(env_name)
        if not found:
            raise SecretError(channel, f"{key}_env", f"environment variable {env_name} is not set")
        return Secret(found.strip())
    if file:
        return Secret(_read(channel, key, file, env))
    if required:
        raise SecretError(channel, key, f"missing: set {key}_env or {key}_file")
    return None


def _read(channel: str, key: str, file: str, env: Mapping[str, str]) -> str:
    creds = env.get("CREDENTIALS_DIRECTORY")
    if _VAR.search(file):
        if not creds:
            raise SecretError(channel, f"{key}_file", "$CREDENTIALS_DIRECTORY is not set")
        file = _VAR.sub(lambda _: creds, file)
    try:
        path = Path(file).expanduser()
    except RuntimeError:  # no home directory (a dynamic user): reported as unreadable below
        path = Path(file)
    if not path.is_absolute() and creds:
        path = Path(creds) / path
    try:
        text = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as e:
        raise SecretError(
            channel, f"{key}_file", f"cannot read {path}: {e.__class__.__name__}"
        ) from e
    if not text:
        raise SecretError(channel, f"{key}_file", f"{path} is empty")
    return text


def resolve_from(
    channel: str, settings: object, key: str, *, required: bool = True
) -> Secret | None:
    """The secret `key` of a channel's settings: from `key`, `key_env` or `key_file`."""
    value = getattr(settings, key)
    return resolve(
        channel,
        key,
        value=None if value is None else str(value),
        env_name=getattr(settings, f"{key}_env"),
        file=getattr(settings, f"{key}_file"),
        required=required,
    )
