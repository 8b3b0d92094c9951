"""What only the SQLite backend does: WAL on a real file."""

from __future__ import annotations

from pathlib import Path

from store import open_store


def test_a_file_store_uses_wal(tmp_path: Path) -> None:
    store = open_store(tmp_path / "w.db")
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()
