"""What a `store:` setting names: a PostgreSQL URL or a SQLite file. Pure text."""

from __future__ import annotations

import re

_PASSWORD = re.compile(r"(://[^:/@]*:)[^@]*@")


def is_postgres(target: str) -> bool:
    """Whether a `store:` setting names a PostgreSQL database rather than a file."""
    return target.startswith(("postgresql://", "postgres://"))


def redact(url: str) -> str:
    """The URL with its password masked, for messages and logs."""
    return _PASSWORD.sub(r"\1***@", url)
