"""What only the PostgreSQL backend does: reconnecting, redacting, refusing a backup."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from store import StoreAPI, StoreError, open_store
from store.postgres import PostgresStore, redact
from tests.support.pg import fresh_schema


@pytest.fixture
def store() -> Iterator[StoreAPI]:
    with fresh_schema() as url:
        s = open_store(url)
        yield s
        s.close()


def test_a_dropped_connection_is_opened_again(store: StoreAPI) -> None:
    assert isinstance(store, PostgresStore)
    (pid,) = store.db.execute("SELECT pg_backend_pid()").fetchone()
    with psycopg.connect(store.path, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    with pytest.raises(psycopg.OperationalError):
        store.counts()  # the statement that finds it broken fails; the next reconnects
    assert store.counts()["articles"] == 0
    assert store.probe_writable() is None


def test_errors_name_the_database_without_its_password(tmp_path: Path) -> None:
    assert redact("postgresql://ww:s3cret@db:5432/ww") == "postgresql://ww:***@db:5432/ww"
    with pytest.raises(StoreError, match=r"postgresql://ww:\*\*\*@127.0.0.1:1/ww: cannot open"):
        open_store("postgresql://ww:s3cret@127.0.0.1:1/ww")


def test_backup_points_to_the_postgresql_tools(store: StoreAPI, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="pg_dump"):
        store.backup(tmp_path / "copy.db")
