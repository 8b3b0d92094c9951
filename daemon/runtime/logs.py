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
import sys
import threading
from collections.abc import Iterable, Mapping
from types import TracebackType
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
log = logging.getLogger("wirewatch")


class _Journal:
    """Whether stderr is journald's stream (set once by setup_logging)."""

    is_on = False


def as_error(message: str) -> str:
    """`message` for stderr as an error: each line `<3>`-prefixed when journald reads it."""
    if not _Journal.is_on:
        return message
    return "\n".join(f"<{PRIORITY[logging.ERROR]}>{line}" for line in message.splitlines())


def log_uncaught(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """sys.excepthook: a crash's traceback goes through logging, so journald stores it at
    priority 3 (err) like any error, not at the info level of bare stderr."""
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, exc, tb)
        return
    log.error("crashed: %s: %s", kind.__name__, exc, exc_info=(kind, exc, tb))


def log_thread_crash(args: threading.ExceptHookArgs) -> None:
    """threading.excepthook: as log_uncaught, naming the thread."""
    if args.exc_value is None:
        return
    name = args.thread.name if args.thread else "?"
    log.error(
        "thread crashed: thread=%s %s: %s",
        name,
        args.exc_type.__name__,
        args.exc_value,
        exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
    )


def setup_logging(level: str, stream: IO[str]) -> None:
    """Configure the root logger once: journald prefixes or `LEVEL name: msg`."""
    handler = logging.StreamHandler(stream)
    _Journal.is_on = is_journal(stream)
    if _Journal.is_on:
        handler.setFormatter(JournalFormatter())
        # Under journald nothing may reach stderr without a priority: tracebacks
        # of crashes at err, Python's warnings at warning.
        sys.excepthook = log_uncaught
        threading.excepthook = log_thread_crash
        logging.captureWarnings(True)
    else:
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(REDACTOR)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(getattr(logging, level.upper(), logging.INFO))
    for noisy in ("httpx", "httpcore", "apscheduler", "pymorphy3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
