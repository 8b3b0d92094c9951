"""PostgreSQL for the tests: the server WIREWATCH_TEST_POSTGRES names, one schema per test.

`make test` starts a throwaway cluster (tests/pg_cluster.sh) when the variable
is unset, and sets WIREWATCH_REQUIRE_POSTGRES=1: there, and under CI, a missing
server fails the tests. The PostgreSQL half of the contract suite is never
silently skipped by the command that promised to run it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from tests.support.required import missing

ENV = "WIREWATCH_TEST_POSTGRES"
REQUIRE = "WIREWATCH_REQUIRE_POSTGRES"


def server_url() -> str:
    """The test server's URL; skips when there is none (fails when it was promised)."""
    url = os.environ.get(ENV, "")
    if not url:
        missing(f"{ENV} is unset: run `make pg` (tests/pg_cluster.sh) or `make test`", flag=REQUIRE)
    return url


def with_schema(url: str, schema: str) -> str:
    """The URL with every connection's search_path set to `schema`."""
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options={quote(f'-c search_path={schema}')}"


@contextmanager
def fresh_schema() -> Iterator[str]:
    """A URL on an empty schema of the test server, dropped afterwards."""
    import psycopg

    url = server_url()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield with_schema(url, schema)
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def _bindir() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    return found[-1] if found else None


@contextmanager
def hot_standby(folder: Path, port: int) -> Iterator[str]:
    """A hot standby of the test server (pg_basebackup -R), on 127.0.0.1:`port`; its URL.

    The server must be on this machine's loopback and allow replication connections (the
    cluster of tests/pg_cluster.sh does). As root, the standby runs as `postgres`, in
    `folder` (which that user must reach: a folder under /tmp).
    """
    url = server_url()
    parts = urlsplit(url)
    bindir = _bindir()
    if bindir is None or parts.hostname not in ("127.0.0.1", "localhost"):
        missing(f"a hot standby needs PostgreSQL's binaries and a local server, not {url}")
    as_owner = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
    folder.mkdir(mode=0o700)
    if as_owner:
        shutil.chown(folder, "postgres", "postgres")

    def run(*argv: str) -> None:
        done = subprocess.run([*as_owner, *argv], capture_output=True, text=True, timeout=120)
        if done.returncode:
            raise AssertionError(f"{' '.join(argv)}: {done.stderr.strip()}")

    run(
        f"{bindir}/pg_basebackup",
        *("-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432)),
        *("-U", parts.username or "postgres", "-D", str(folder), "-R", "-X", "stream"),
        *("-c", "fast"),
    )
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={folder} "
        "-c fsync=off -c max_connections=200 -c hot_standby=on"
    )
    run(f"{bindir}/pg_ctl", "-D", str(folder), "-l", f"{folder}/standby.log", "-w", "start",
        "-o", options)  # fmt: skip
    try:
        yield urlunsplit(parts._replace(netloc=f"{parts.username}@127.0.0.1:{port}"))
    finally:
        run(f"{bindir}/pg_ctl", "-D", str(folder), "-m", "immediate", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def wait_replayed(primary: str, standby: str, timeout_s: float = 30) -> None:
    """Until the standby has replayed everything the primary has written so far."""
    import psycopg

    with psycopg.connect(primary, autocommit=True) as conn:
        row = conn.execute("SELECT pg_current_wal_lsn()::text").fetchone()
    target = row[0] if row else "0/0"
    deadline = time.monotonic() + timeout_s
    with psycopg.connect(standby, autocommit=True) as conn:
        while time.monotonic() < deadline:
            done = conn.execute(
                "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]
            ).fetchone()
            if done and done[0]:
                return
            time.sleep(0.05)
    raise AssertionError(f"the standby did not replay up to {target} in {timeout_s} s")
