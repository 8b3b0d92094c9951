"""PostgreSQL for the tests: the server WIREWATCH_TEST_POSTGRES names, one schema per test.

`make test` starts a throwaway cluster (tests/pg_cluster.sh) when the variable
is unset, and sets WIREWATCH_REQUIRE_POSTGRES=1: there, and under CI, a missing
server fails the tests. The PostgreSQL half of the contract suite is never
silently skipped by the command that promised to run it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

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
