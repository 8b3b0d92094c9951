"""Log records for journald or a terminal, with secrets taken out.

Under systemd ($JOURNAL_STREAM names our stderr) each line starts with an
sd-daemon priority prefix (`<3>` error ... `<7>` debug) that journald turns
into the entry's PRIORITY; elsewhere lines read `LEVEL name: message`. Never a
timestamp of our own: journald (or the terminal's user) has the time.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Mapping
from typing import IO

from pydantic import BaseModel, SecretStr

from daemon.alerts.sanitize import log_line, redact_urls

PRIORITY = {
    logging.DEBUG: 7,
    logging.INFO: 6,
    logging.WARNING: 4,
    logging.ERROR: 3,
    logging.CRITICAL: 2,
}
SECRET_FIELD = re.compile(r"url|password|passwd|token|secret|key", re.IGNORECASE)
MASK = "***"


class JournalFormatter(logging.Formatter):
    """`<N>name: message`, the prefix repeated on every line of a traceback."""

    def __init__(self) -> None:
        super().__init__("%(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        prefix = f"<{priority(record.levelno)}>"
        return "\n".join(prefix + line for line in super().format(record).splitlines())


def priority(levelno: int) -> int:
    """The syslog priority of a logging level."""
    for level in sorted(PRIORITY, reverse=True):
        if levelno >= level:
            return PRIORITY[level]
    return 7


def is_journal(stream: IO[str], env: Mapping[str, str] | None = None) -> bool:
    """True when `stream` is the journald stream systemd connected us to."""
    env = os.environ if env is None else env
    dev, _, ino = env.get("JOURNAL_STREAM", "").partition(":")
    try:
        st = os.fstat(stream.fileno())
        return (st.st_dev, st.st_ino) == (int(dev), int(ino))
    except (ValueError, OSError):
        return False


class Redactor(logging.Filter):
    """Replaces known secret values and URL credentials in messages (and tracebacks) with
    ***; keeps each message on one line with its control characters escaped."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: frozenset[str] = frozenset()

    def add(self, values: Iterable[str]) -> None:
        """Never print these."""
        self.secrets = self.secrets | {v for v in values if len(v) >= 8}

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = log_line(self.scrub(message))
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_urls(self.scrub(record.exc_text))
        return True

    def scrub(self, text: str) -> str:
        """`text` with every secret masked."""
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, MASK)
        return text


def secret_values(settings: Iterable[BaseModel]) -> set[str]:
    """Values of secret-looking fields (urls, passwords, tokens, keys) in channel settings."""
    out: set[str] = set()
    for model in settings:
        for name, value in model:
            if isinstance(value, SecretStr):
                out.add(value.get_secret_value())
            elif name.endswith(("_file", "_env")) or value is None or isinstance(value, bool):
                continue  # where a secret is kept is not itself secret
            elif SECRET_FIELD.search(name):
                out.add(str(value))
    return out


REDACTOR = Redactor()


def setup_logging(level: str, stream: IO[str]) -> None:
    """Configure the root logger once: journald prefixes or `LEVEL name: msg`."""
    handler = logging.StreamHandler(stream)
    if is_journal(stream):
        handler.setFormatter(JournalFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(REDACTOR)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(getattr(logging, level.upper(), logging.INFO))
    for noisy in ("httpx", "httpcore", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
