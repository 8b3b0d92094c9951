"""The read-only console: a store it must never write (a hot standby, a read-only file).

Every read page works; every write is refused with a message naming the route and
the store, and its button is shown disabled with the reason; the rule tester (which
only reads) still runs. The PostgreSQL half runs the app on connections whose every
transaction is READ ONLY, so a read page that wrote would fail here.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest

from store import SchemaError, StoreError, open_store, read_only_reason
from store.migrations import MIGRATIONS
from tests.web.conftest import NOW, SEED_TEXT, Seeded, make_client
from tests.web.test_console import PAGES, WRITES, csrf

REASON = "var/w.db: the file is read-only (mode 0444)"


@pytest.fixture
def ro_client(seeded: Seeded) -> Any:
    yield from make_client(seeded, read_only=REASON)


@pytest.mark.parametrize("path", [*PAGES, "/hits/1", "/stories/1", "/hits.atom", "/feeds.opml"])
def test_every_read_page_works_read_only(ro_client: Any, path: str) -> None:
    r = ro_client.get(path)
    assert r.status_code == 200, r.text
    if r.headers["content-type"].startswith("text/html"):
        assert f"Read-only console: {REASON}." in r.text


@pytest.mark.parametrize(("path", "data"), WRITES)
def test_writes_are_refused_with_the_reason(
    ro_client: Any, seeded: Seeded, path: str, data: dict[str, str]
) -> None:
    path = path.format(hit=seeded.seed_hit)
    token = csrf(ro_client)
    r = ro_client.post(path, data={**data, "csrf": token})
    assert r.status_code == 403
    assert r.text == (
        f"POST {path}: this console is read-only ({REASON}); verdicts, mutes, retries and "
        "feed changes are made on a console of the primary store\n"
    )


def test_write_buttons_are_disabled_with_the_reason(ro_client: Any, seeded: Seeded) -> None:
    title = f'disabled title="read-only console: {REASON}"'
    hit = ro_client.get(f"/hits/{seeded.seed_hit}").text
    assert hit.count(title) == 2  # relevant, irrelevant
    assert ro_client.get("/hits").text.count(title) == 4  # two hits, two buttons each
    feeds = ro_client.get("/feeds").text
    assert re.search(rf"<button type=\"submit\" {re.escape(title)}>add</button>", feeds)
    assert re.search(rf"<button type=\"submit\" {re.escape(title)}>import</button>", feeds)
    assert f"{title}>mute</button>" in ro_client.get("/mutes").text
    assert "<button" in ro_client.get("/tester").text
    assert title not in ro_client.get("/tester").text  # the tester only reads


def test_the_rule_tester_still_runs(ro_client: Any) -> None:
    token = csrf(ro_client)
    html = ro_client.post("/tester", data={"csrf": token, "text": SEED_TEXT}).text
    assert "FIRES russia-north-korea [high]" in html


def test_a_writable_console_shows_no_banner(seeded: Seeded) -> None:
    for client in make_client(seeded):
        html = client.get("/hits").text
        assert "Read-only console" not in html and "disabled" not in html


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_read_only_sqlite_file_is_detected_and_never_written(fresh: Seeded, backend: str) -> None:
    if backend != "sqlite":
        pytest.skip("SQLite files only")
    path = Path(fresh.target)
    assert read_only_reason(str(path)) is None
    os.chmod(path, 0o444)
    assert read_only_reason(str(path)) == f"{path}: the file is read-only (mode 0444)"
    before = _digest(path)
    for client in make_client(fresh, read_only=read_only_reason(str(path))):
        for page in PAGES:
            assert client.get(page).status_code == 200, page
        token = csrf(client)
        r = client.post(f"/hits/{fresh.seed_hit}/verdict", data={"verdict": "x", "csrf": token})
        assert r.status_code == 403
    assert _digest(path) == before
    assert stat.S_IMODE(path.stat().st_mode) == 0o444


def test_a_read_only_connection_refuses_writes_itself(fresh: Seeded) -> None:
    """Even a write that slipped past the console fails in the database, on both backends."""
    store = open_store(fresh.target, read_only=True)
    try:
        assert store.hit_detail(fresh.seed_hit) is not None
        with pytest.raises(Exception) as caught:
            store.set_verdict(fresh.seed_hit, "relevant", NOW)
        assert "read-only" in str(caught.value).lower() or "readonly" in str(caught.value)
    finally:
        store.close()


def _add_migration(target: str, name: str) -> None:
    store = open_store(target)
    try:
        store.db.execute(  # type: ignore[attr-defined]
            "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)", [name, "2027-01-01"]
        )
    finally:
        store.close()


def test_a_newer_schema_is_refused_naming_both_versions(fresh: Seeded) -> None:
    _add_migration(fresh.target, "999_from_the_future")
    with pytest.raises(SchemaError) as caught:
        open_store(fresh.target, read_only=True)
    where = fresh.target if fresh.target.endswith(".db") else caught.value.path
    assert str(caught.value) == (
        f"{where}: the store's schema is 999_from_the_future, this wirewatch expects "
        f"{MIGRATIONS[-1].name}: a newer wirewatch migrated it (999_from_the_future); "
        "serve it with that version, or upgrade this one"
    )


def test_an_older_schema_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    open_store(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM _migrations WHERE name = ?", [MIGRATIONS[-1].name])
    conn.close()
    with pytest.raises(SchemaError, match=f"lacks {MIGRATIONS[-1].name}; a read-only console"):
        open_store(path, read_only=True)
    with sqlite3.connect(path) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM _migrations")}
    conn.close()
    assert MIGRATIONS[-1].name not in names  # not migrated


def test_a_missing_file_is_not_created(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no such file"):
        open_store(tmp_path / "none.db", read_only=True)
    assert not (tmp_path / "none.db").exists()


class WebProcess:
    """`wirewatch web ARGS` in a process of its own, until its console answers."""

    def __init__(self, *args: str) -> None:
        import subprocess

        from tests.support.net import free_port
        from tests.support.spawn import command

        self.port = free_port()
        env = {**os.environ, "WIREWATCH_LOG_LEVEL": "INFO"}
        env.pop("WIREWATCH_CONFIG", None)
        self.proc = subprocess.Popen(
            command("web", *args, "--listen", f"127.0.0.1:{self.port}"),
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.log: list[str] = []
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.log.append(line)
            if "console at http://" in line:
                break
        else:
            raise AssertionError("".join(self.log))
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> WebProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)
        assert self.proc.stderr is not None
        self.proc.stderr.close()


def _drive_read_only(url: str, hit: int) -> None:
    """Every read page answers; a verdict is refused with the reason; no 500 anywhere."""
    import httpx

    with httpx.Client(base_url=url, timeout=30) as client:
        for page in [*PAGES, f"/hits/{hit}", "/hits.atom"]:
            r = client.get(page)
            assert r.status_code == 200, (page, r.text)
        assert "Read-only console:" in client.get("/").text
        token = client.cookies["ww_csrf"]
        r = client.post(f"/hits/{hit}/verdict", data={"verdict": "relevant", "csrf": token})
        assert r.status_code == 403
        assert r.text.startswith(f"POST /hits/{hit}/verdict: this console is read-only (")


@pytest.mark.slow
def test_wirewatch_web_serves_a_read_only_sqlite_file(tmp_path: Path, engine: Any) -> None:
    from tests.web.conftest import seed

    path = tmp_path / "copy.db"
    seeded = seed(str(path), engine)
    os.chmod(path, 0o444)
    before = _digest(path)
    with WebProcess("--db", str(path)) as web:
        assert (
            f"INFO wirewatch: the store cannot be written: serving it read-only "
            f"reason={path}: the file is read-only (mode 0444)\n" in web.log
        )
        _drive_read_only(web.url, seeded.seed_hit)
    assert _digest(path) == before


@pytest.mark.slow
def test_wirewatch_web_refuses_another_schema_without_a_traceback(tmp_path: Path) -> None:
    from tests.support.cli import wirewatch

    path = tmp_path / "w.db"
    open_store(path).close()
    _add_migration(str(path), "999_from_the_future")
    out = wirewatch("web", "--db", str(path), "--read-only", "--listen", "127.0.0.1:0")
    assert out.returncode == 1
    assert out.stderr.strip().endswith(
        f"{path}: the store's schema is 999_from_the_future, this wirewatch expects "
        f"{MIGRATIONS[-1].name}: a newer wirewatch migrated it (999_from_the_future); "
        "serve it with that version, or upgrade this one"
    )
    assert "Traceback" not in out.stderr


@pytest.mark.slow
def test_wirewatch_web_serves_a_postgresql_hot_standby(engine: Any) -> None:
    import tempfile
    from urllib.parse import urlsplit, urlunsplit

    from tests.support.cli import wirewatch
    from tests.support.net import free_port
    from tests.support.pg import fresh_schema, hot_standby, server_url, wait_replayed
    from tests.web.conftest import seed

    def on(standby: str, url: str) -> str:
        return urlunsplit(urlsplit(url)._replace(netloc=urlsplit(standby).netloc))

    port = free_port()
    with (
        fresh_schema() as primary,
        fresh_schema() as empty,
        tempfile.TemporaryDirectory(prefix="ww-standby-") as tmp,
    ):
        seeded = seed(primary, engine)
        os.chmod(tmp, 0o755)  # the standby's own folder below it is postgres's, 0700
        with hot_standby(Path(tmp) / "standby", port) as standby:
            wait_replayed(server_url(), standby)
            with WebProcess("--db", on(standby, primary)) as web:
                assert any(
                    f"serving it read-only reason=postgresql://***@127.0.0.1:{port}/" in line
                    and line.endswith(": a hot standby (pg_is_in_recovery() is true)\n")
                    for line in web.log
                ), web.log
                _drive_read_only(web.url, seeded.seed_hit)
            out = wirewatch("web", "--db", on(standby, empty), "--listen", "127.0.0.1:0")
            assert out.returncode == 1 and "Traceback" not in out.stderr
            assert out.stderr.strip().endswith(
                f"the store's schema is none, this wirewatch expects {MIGRATIONS[-1].name}: "
                "no wirewatch tables in it; a read-only console does not create them"
            )


def test_a_role_whose_sessions_are_read_only_is_detected(engine: Any) -> None:
    import uuid
    from urllib.parse import parse_qs, urlsplit, urlunsplit

    import psycopg

    from tests.support.pg import fresh_schema, server_url
    from tests.web.conftest import seed

    role = f"ro_{uuid.uuid4().hex[:10]}"
    with fresh_schema() as url, psycopg.connect(server_url(), autocommit=True) as admin:
        seeded = seed(url, engine)
        schema = parse_qs(urlsplit(url).query)["options"][0].rpartition("search_path=")[2]
        admin.execute(f"CREATE ROLE {role} LOGIN")
        admin.execute(f"ALTER ROLE {role} SET default_transaction_read_only = on")
        try:
            admin.execute(f"GRANT USAGE ON SCHEMA {schema} TO {role}")
            admin.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {role}")
            parts = urlsplit(url)
            reader = urlunsplit(parts._replace(netloc=f"{role}@{parts.hostname}:{parts.port}"))
            reason = read_only_reason(reader)
            assert reason == (
                f"{reader}: default_transaction_read_only is on for this role or database"
            )
            assert read_only_reason(url) is None
            store = open_store(reader, read_only=True)
            try:
                assert store.hit_detail(seeded.seed_hit) is not None
            finally:
                store.close()
        finally:
            admin.execute(f"DROP OWNED BY {role}")
            admin.execute(f"DROP ROLE {role}")


@pytest.mark.slow
def test_a_read_only_copy_in_a_read_only_folder_is_read_by_another_user(
    tmp_path: Path,
) -> None:
    """mode=ro cannot make the -shm of a WAL file in a folder it cannot write: such a
    copy (nobody writes it: a writer makes the -wal first) is read as immutable."""
    import shutil
    import subprocess
    import sys

    system = Path("/usr/bin/python3")
    if os.getuid() != 0 or shutil.which("runuser") is None or not system.exists():
        pytest.skip("needs root, runuser and /usr/bin/python3 to read as another user")
    version = subprocess.run(
        [str(system), "-c", "import sys; print(sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if version != str(sys.version_info[:2]):
        pytest.skip(f"/usr/bin/python3 is {version}, the venv's packages are for another")
    folder = Path(tempfile_dir()) / f"ww-ro-{os.getpid()}"
    folder.mkdir()
    try:
        path = folder / "copy.db"
        open_store(path).close()
        os.chmod(path, 0o444)
        os.chmod(folder, 0o555)
        site = next(Path(sys.prefix).glob("lib/python3.*/site-packages"))
        root = Path(__file__).resolve().parents[2]
        out = subprocess.run(
            [str(shutil.which("runuser")), "-u", "nobody", "--", str(system), "-c",
             "import sys; from store import open_store; "
             "s = open_store(sys.argv[1], read_only=True); print(s.counts()); s.close()",
             str(path)],
            env={"PYTHONPATH": f"{root}:{site}", "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
        )  # fmt: skip
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == "{'feeds': 0, 'articles': 0, 'hits': 0, 'pending': 0}"
        assert sorted(p.name for p in folder.iterdir()) == ["copy.db"]
    finally:
        os.chmod(folder, 0o755)
        shutil.rmtree(folder)


def tempfile_dir() -> str:
    """A folder every user can pass through (pytest's tmp_path is root's, 0700)."""
    import tempfile

    return tempfile.gettempdir()
