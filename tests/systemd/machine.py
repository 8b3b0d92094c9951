"""A minimal Debian 12 booted under a real systemd, for the unit's lifecycle test.

`mmdebstrap --variant=minbase` (the mirror read from the host's apt config at
run time; dpkg under eatmydata, as nothing needs to survive a crash mid-build)
makes the root file system once, cached with the wheelhouse in the user's
cache (`~/.cache/wirewatch-tests/systemd/`, or $WIREWATCH_SYSTEMD_TEST_CACHE),
shared by every checkout and clone, each build named by a hash of what goes into
it; each run boots a throwaway overlay of it (under `var/systemd-test/`, or
$WIREWATCH_SYSTEMD_TEST_DIR) with
`systemd-nspawn --boot --private-network --register=no --keep-unit` and sends
commands with `nsenter -t <its PID 1> -a`.
The machine has no network: wirewatch comes in as a wheelhouse built on the
host and a git snapshot of this checkout, both bind-mounted read-only, that the
documented steps (docs/service.md) install with `PIP_NO_INDEX=1` and git's
`insteadOf` standing in for PyPI and GitHub.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import importlib.metadata as md
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
# The run (the booted overlay, its log, the source snapshot, the timings), per checkout.
WORK = Path(os.environ.get("WIREWATCH_SYSTEMD_TEST_DIR") or ROOT / "var" / "systemd-test")
# The builds (root file system, wheels): where a user's machine keeps caches, shared by its
# checkouts, as a fresh clone would otherwise build the same system again (~1 min).
CACHE = Path(
    os.environ.get("WIREWATCH_SYSTEMD_TEST_CACHE")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "wirewatch-tests/systemd"
)
PIP_WHEEL = (sys.executable, "-m", "pip", "wheel", "--quiet", "--wheel-dir")
KEEP_OTHERS = 1  # builds of other keys kept (another branch's packages), most recent first
DOCS = ROOT / "docs" / "service.md"
SUITE = "bookworm"
BASE_PACKAGES = ("systemd", "systemd-sysv")  # "a minimal Debian 12 with systemd"
REPO_URL = "https://github.com/wirewatch/wirewatch"
BOOT_TIMEOUT_S = 90.0


def missing_tools() -> str | None:
    """Why this machine cannot run the test, or None."""
    if os.geteuid() != 0:
        return "needs root (systemd-nspawn, mmdebstrap, mount)"
    for tool in ("systemd-nspawn", "mmdebstrap", "nsenter", "pgrep", "git", "mount"):
        if shutil.which(tool) is None:
            return f"{tool} not found (make system-deps installs systemd-container mmdebstrap)"
    if mirror() is None:
        return "no Debian mirror in the host's apt config (/etc/apt/sources.list*)"
    return None


def doc_blocks(path: Path = DOCS) -> dict[str, str]:
    """The `<!-- systemd-test: NAME -->` shell blocks of the docs, by name."""
    text = path.read_text(encoding="utf-8")
    found = re.findall(r"<!-- systemd-test: (\w+) -->\n```sh\n(.*?)```", text, re.DOTALL)
    return dict(found)


def documented_packages(install: str) -> list[str]:
    """The packages the install block's `apt-get install` names."""
    for line in install.splitlines():
        words = line.split("#")[0].split()
        if words[:2] == ["apt-get", "install"]:
            return [w for w in words[2:] if not w.startswith("-")]
    raise AssertionError("the install block has no `apt-get install` line")


def mirror() -> str | None:
    """The host's Debian mirror (a `deb` source for the main suite), read now."""
    apt = Path("/etc/apt")
    one_line = [apt / "sources.list", *sorted((apt / "sources.list.d").glob("*.list"))]
    for path in one_line:
        for line in _lines(path):
            m = re.match(r"deb\s+(?:\[[^]]*\]\s+)?(\S+)\s+(\S+)", line)
            if m and m.group(2) == SUITE:
                return m.group(1)
    for path in sorted((apt / "sources.list.d").glob("*.sources")):
        for stanza in "\n".join(_lines(path)).split("\n\n"):
            fields = dict(
                (k.strip(), v.strip())
                for k, _, v in (x.partition(":") for x in stanza.splitlines())
                if v
            )
            if (
                "deb" in fields.get("Types", "").split()
                and SUITE in fields.get("Suites", "").split()
            ):
                return fields.get("URIs", "").split()[0] if fields.get("URIs") else None
    return None


def _lines(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return []
    return [x for x in text.splitlines() if not x.lstrip().startswith("#")]


@contextmanager
def rootfs(packages: list[str]) -> Iterator[Path]:
    """The cached minbase Debian 12 with `packages`; built when missing (~1 min)."""
    wanted = sorted({*BASE_PACKAGES, *packages})
    url = mirror()
    assert url, "no mirror"
    command = [
        "mmdebstrap",
        "--quiet",
        "--variant=minbase",
        "--format=directory",
        # dpkg without fsync: half the time (eatmydata is removed at the end).
        "--hook-dir=/usr/share/mmdebstrap/hooks/eatmydata",
        f"--include={','.join(wanted)}",
        SUITE,
    ]

    def build(into: Path) -> None:
        out = subprocess.run(
            [*command, str(into), url], capture_output=True, text=True, timeout=900
        )
        assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]

    with cached("rootfs", [*command, url], build) as done:
        yield done


@contextmanager
def wheelhouse() -> Iterator[Path]:
    """Wheels for the machine's Python 3.11: wirewatch's dependencies as installed here.

    Each is repacked from this venv (the versions the host's tests ran with; no
    index asked); only the build backend (`build-system.requires`, which the venv
    does not hold) comes through pip.
    """
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    build_requires = project["build-system"]["requires"]
    dists = installed_closure(project["project"]["dependencies"])
    pins = sorted(f"{d.metadata['Name']}=={d.version}" for d in dists)

    def build(into: Path) -> None:
        into.mkdir(parents=True)
        for dist in dists:
            repack(dist, into)
        out = subprocess.run(
            [*PIP_WHEEL, str(into), *build_requires],
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert out.returncode == 0, out.stderr[-3000:]

    with cached("wheels", [sys.version, *build_requires, *pins], build) as done:
        yield done


@contextmanager
def cached(kind: str, inputs: list[str], build: Callable[[Path], None]) -> Iterator[Path]:
    """CACHE/KIND-HASH, the hash of `inputs` (everything that goes into the build), made by
    `build(path)` when missing, and held for as long as the caller uses it.

    Checkouts share the cache, so each build has a lock file: one process builds while
    the others wait for it, a build in use is held under a shared lock, and only builds
    no one holds are dropped (the oldest, beyond KEEP_OTHERS of other keys).
    """
    key = hashlib.sha256("\0".join(inputs).encode()).hexdigest()[:12]
    done = CACHE / f"{kind}-{key}"
    CACHE.mkdir(parents=True, exist_ok=True)
    with (CACHE / f"{done.name}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        complete = CACHE / f"{done.name}.complete"
        if not complete.exists():
            building = CACHE / f"{done.name}.building"
            remove(building, done)
            build(building)
            building.rename(done)
            complete.touch()
        os.utime(complete)  # the last use, for drop_stale
        fcntl.flock(lock, fcntl.LOCK_SH)
        drop_stale(kind, keep=done)
        yield done


def drop_stale(kind: str, keep: Path) -> None:
    """Remove cached builds of `kind` other than `keep` and the KEEP_OTHERS most recently
    used, when no process holds them (0.3-0.5 GB each); and the builds older checkouts
    kept in WORK."""
    unmount(WORK / "machine")  # a killed run's overlay may still sit on one
    if WORK.resolve() != CACHE.resolve():
        remove(*WORK.glob(f"{kind}-*"))
    others = sorted(
        (
            p
            for p in CACHE.glob(f"{kind}-*.lock")
            if p.name != f"{keep.name}.lock" and p.with_suffix("").exists()
        ),
        key=lambda p: _last_use(p.with_suffix(".complete")),
        reverse=True,
    )
    for lock_path in others[KEEP_OTHERS:]:
        with lock_path.open("a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # in use by another run
            build = lock_path.with_suffix("")
            lock_path.with_suffix(".complete").unlink(missing_ok=True)
            # The lock file stays: a process may have it open, waiting to build this key.
            remove(build, build.with_name(f"{build.name}.building"))


def _last_use(marker: Path) -> float:
    try:
        return marker.stat().st_mtime
    except FileNotFoundError:
        return 0.0


def remove(*paths: Path) -> None:
    for path in paths:
        if path.exists():
            subprocess.run(["rm", "-rf", "--one-file-system", str(path)], check=True)


def installed_closure(requirements: list[str]) -> list[md.Distribution]:
    """The installed distributions that `requirements` need, their own needs included."""
    found: dict[str, md.Distribution] = {}
    seen: set[tuple[str, str]] = set()
    todo = [Requirement(r) for r in requirements]
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        for extra in ("", *req.extras):
            if (name, extra) in seen:
                continue
            seen.add((name, extra))
            dist = found.setdefault(name, md.distribution(req.name))
            for needed in map(Requirement, dist.requires or []):
                marker = needed.marker
                if (marker is None and not extra) or (
                    marker is not None
                    and marker.evaluate({"extra": extra})
                    and (extra or "extra" not in str(marker))
                ):
                    todo.append(needed)
    return list(found.values())


_NOT_PACKED = {"INSTALLER", "REQUESTED", "RECORD", "direct_url.json"}


def repack(dist: md.Distribution, into: Path) -> None:
    """`dist` as a wheel again, from its RECORD: the files installer-made or outside
    site-packages (scripts, caches) left out, as pip makes those on install."""
    files = [f for f in dist.files or [] if ".." not in f.parts and "__pycache__" not in f.parts]
    info = next(f.parts[0] for f in files if f.parts[0].endswith(".dist-info"))
    files = [f for f in files if not (f.parts[0] == info and f.name in _NOT_PACKED)]
    wheel = dist.read_text("WHEEL") or ""
    tags = [
        line.split(":", 1)[1].strip().split("-")
        for line in wheel.splitlines()
        if line.startswith("Tag:")
    ]
    tag = "-".join(".".join(dict.fromkeys(t[i] for t in tags)) for i in range(3))
    record = []
    # Stored, not deflated: the machine reads it once, from the same disk.
    with zipfile.ZipFile(into / f"{info.removesuffix('.dist-info')}-{tag}.whl", "w") as zf:
        for f in files:
            data = Path(str(dist.locate_file(f))).read_bytes()
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            record.append(f"{f.as_posix()},sha256={digest.decode()},{len(data)}")
            zf.writestr(f.as_posix(), data)
        record.append(f"{info}/RECORD,,")
        zf.writestr(f"{info}/RECORD", "\n".join(record) + "\n")


def source_snapshot() -> Path:
    """This checkout as it is now (uncommitted files included) as a git repository."""
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    repo = WORK / "src"
    shutil.rmtree(repo, ignore_errors=True)
    for name in filter(None, files):
        src = ROOT / os.fsdecode(name)
        if src.is_file():
            (repo / os.fsdecode(name)).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, repo / os.fsdecode(name))
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@localhost", "-C", str(repo)]
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "snapshot"], check=True)
    return repo


class Machine:
    """A booted container: run commands in it, read its files."""

    def __init__(self, root: Path, proc: subprocess.Popen[bytes], log: Path) -> None:
        self.root = root
        self.proc = proc
        self.log = log
        self.pid = 0
        self.timings: dict[str, float] = {}

    def find_init(self) -> None:
        """Wait for the container's PID 1 (nspawn's child) and for its boot to finish."""
        deadline = time.monotonic() + BOOT_TIMEOUT_S
        while not self.pid:
            found = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True)
            pids = found.stdout.split()
            self.pid = int(pids[0]) if pids else 0
            assert self.proc.poll() is None, self.log.read_text()[-3000:]
            assert time.monotonic() < deadline, "container did not start"
            time.sleep(0.1)
        while True:  # PID 1 exists before its bus does: "Failed to connect to bus" at first
            state = self.sh("systemctl is-system-running --wait", check=False, timeout=60)
            if state.stdout.strip() in ("running", "degraded"):
                return
            assert time.monotonic() < deadline, state.stdout + state.stderr
            time.sleep(0.2)

    def sh(
        self,
        script: str,
        *,
        env: dict[str, str] | None = None,
        check: bool = True,
        timeout: float = 120,
    ) -> subprocess.CompletedProcess[str]:
        """Run `script` with /bin/sh -e as root inside, with a clean environment."""
        clean = {
            "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "HOME": "/root",
            "LANG": "C.UTF-8",
            "SYSTEMD_PAGER": "",
            **(env or {}),
        }
        out = subprocess.run(
            ["nsenter", "-t", str(self.pid), "-a", "env", "-i"]
            + [f"{k}={v}" for k, v in clean.items()]
            + ["/bin/sh", "-ec", script],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check:
            assert out.returncode == 0, (
                f"{script}\n--- rc={out.returncode}\n{out.stdout}{out.stderr}"
            )
        return out

    def show(self, *props: str) -> dict[str, str]:
        """`systemctl show wirewatch -p ...` as a dict."""
        out = self.sh(f"systemctl show wirewatch -p {','.join(props)}").stdout
        return dict(line.partition("=")[::2] for line in out.splitlines())

    def poweroff(self) -> None:
        """Shut the container down; kill nspawn if it takes too long."""
        if self.proc.poll() is None:
            self.sh("systemctl poweroff --no-block", check=False, timeout=30)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


@contextmanager
def booted(base: Path, binds: dict[str, Path], setup: dict[str, str]) -> Iterator[Machine]:
    """A throwaway overlay on `base`, with `setup` files written into it, booted with `binds`.

    `base` stays as built: every write lands in the overlay's upper layer, removed after.
    """
    started = time.monotonic()
    root, upper, scratch = WORK / "machine", WORK / "machine-upper", WORK / "machine-work"
    unmount(root)
    for path in (root, upper, scratch):
        if path.exists():
            subprocess.run(["rm", "-rf", "--one-file-system", str(path)], check=True)
        path.mkdir()
    layers = f"lowerdir={base},upperdir={upper},workdir={scratch}"
    subprocess.run(["mount", "-t", "overlay", "overlay", "-o", layers, str(root)], check=True)
    overlaid = time.monotonic()
    for rel, text in setup.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    log = WORK / "machine.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                "systemd-nspawn",
                "--quiet",
                "--directory",
                str(root),
                "--boot",
                "--private-network",
                "--register=no",
                "--keep-unit",
                "--console=passive",
                *(f"--bind-ro={src}:{dst}" for dst, src in binds.items()),
            ],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    machine = Machine(root, proc, log)
    machine.timings["overlaid_s"] = round(overlaid - started, 1)
    try:
        machine.find_init()
        yield machine
    finally:
        machine.poweroff()
        unmount(root)
        # ~600 MB once installed; if kept, machine-upper/var/log/journal holds the journal.
        if os.environ.get("WIREWATCH_KEEP_MACHINE") != "1":
            for path in (root, upper, scratch):
                subprocess.run(["rm", "-rf", "--one-file-system", str(path)], check=False)


def unmount(path: Path) -> None:
    """Unmount `path` if something is mounted there (a run killed before its cleanup)."""
    if os.path.ismount(path):
        subprocess.run(["umount", str(path)], check=True)
