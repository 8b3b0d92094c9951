"""systemd/wirewatch.service: hardened (score <= 1.5), valid, and workable for CPython.

`systemd-analyze` comes with Debian's `systemd` package and works without
systemd running; `.ci/run` installs it when missing.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SEEDS
from tests.support.spawn import command

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "systemd" / "wirewatch.service"
INSTALLED_BIN = "/opt/wirewatch/bin/wirewatch"  # where README installs the venv
MAX_EXPOSURE = 1.5

# PR_SET_MDWE / PR_MDWE_REFUSE_EXEC_GAIN (Linux >= 6.3): what MemoryDenyWriteExecute= enforces.
MDWE_EXEC = """
import ctypes, os, sys
if ctypes.CDLL(None, use_errno=True).prctl(65, 1, 0, 0, 0) != 0:
    sys.exit(77)
os.execv(sys.argv[1], sys.argv[1:])
"""


def systemd_analyze() -> str:
    found = shutil.which("systemd-analyze")
    if found is None:
        pytest.fail("systemd-analyze not found: apt-get install -y systemd (.ci/run does)")
    return found


def test_security_exposure_is_ok() -> None:
    out = subprocess.run(
        [systemd_analyze(), "security", "--offline=yes", str(UNIT)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    m = re.search(r"Overall exposure level for wirewatch\.service: (\d+\.\d+) (\w+)", out.stdout)
    assert m, out.stdout + out.stderr
    assert float(m.group(1)) <= MAX_EXPOSURE, out.stdout
    assert m.group(2) == "OK"


def test_verify_is_clean_with_the_binary_installed(tmp_path: Path) -> None:
    text = UNIT.read_text(encoding="utf-8")
    assert text.count(f"={INSTALLED_BIN} ") == 2  # ExecStartPre and ExecStart, nothing else
    venv_bin = Path(sys.executable).parent / "wirewatch"
    assert venv_bin.exists()
    unit = tmp_path / "wirewatch.service"
    unit.write_text(text.replace(INSTALLED_BIN, str(venv_bin)), encoding="utf-8")
    out = subprocess.run(
        [systemd_analyze(), "verify", str(unit)], capture_output=True, text=True, timeout=60
    )
    assert (out.returncode, out.stdout + out.stderr) == (0, "")


def test_unit_has_the_service_contract() -> None:
    text = UNIT.read_text(encoding="utf-8")
    for line in (
        "Type=notify",
        "WatchdogSec=",
        "Restart=on-failure",
        f"ExecStartPre={INSTALLED_BIN} check",
        "ExecReload=/bin/kill -HUP $MAINPID",
        "DynamicUser=yes",
        "StateDirectory=wirewatch",
        "ConfigurationDirectory=wirewatch",
        "TimeoutStopSec=",
        "LoadCredential=",
        "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
        "MemoryDenyWriteExecute=yes",
    ):
        assert line in text, line


@pytest.mark.slow
def test_daemon_works_without_writable_executable_memory(tmp_path: Path) -> None:
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            MDWE_EXEC,
            sys.executable,
            "-c",
            "import mmap; mmap.mmap(-1, 4096, prot=7)",  # read|write|exec must be refused
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if probe.returncode == 77:
        pytest.skip("kernel without PR_SET_MDWE (Linux < 6.3)")
    assert "PermissionError" in probe.stderr  # MDWE is really on
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            MDWE_EXEC,
            *command(
                "run",
                "--once",
                "--config",
                str(SEEDS / "wirewatch.yaml"),
                "--db",
                str(tmp_path / "wirewatch.db"),
            ),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "hit watch=russia-north-korea" in run.stderr
