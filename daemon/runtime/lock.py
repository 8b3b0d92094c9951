"""One daemon per SQLite store: an exclusive lock file beside the database.

Two daemons on one SQLite file polled and counted every feed twice. The lock
is an flock(2) on `<store>.lock`, held for the life of the process (the kernel
drops it when the process dies, even on kill -9: no stale lock to clean up).
PostgreSQL stores are shared by several daemons by design (leases): no lock.
Read-only commands (`hits`, `status`, `feeds`) never take it.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

from daemon.errors import DaemonError
from store import is_postgres


class StoreLockedError(DaemonError):
    """Another daemon holds the store's lock."""

    def __init__(self, store: str, holder: str) -> None:
        who = f" (pid {holder})" if holder else ""
        super().__init__(
            f"{store}: another wirewatch daemon{who} is running on this SQLite store; "
            "stop it first (several daemons can share a PostgreSQL store)"
        )
        self.store = store


def lock_path(store: str) -> Path:
    """The lock file of a SQLite store."""
    return Path(f"{store}.lock")


def hold_store_lock(store: str) -> IO[str] | None:
    """Take the store's lock for this process (keep the returned file open), or raise
    StoreLockedError; None for stores that need no lock."""
    if store == ":memory:" or is_postgres(store):
        return None
    path = lock_path(store)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        f = path.open("a+", encoding="utf-8")
    except OSError as e:
        raise DaemonError(f"{path}: cannot open the lock file: {e.strerror or e}") from e
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        f.seek(0)
        holder = f.read().strip()[:20]
        f.close()
        raise StoreLockedError(store, holder) from None
    f.seek(0)
    f.truncate()
    f.write(f"{os.getpid()}\n")
    f.flush()
    return f
