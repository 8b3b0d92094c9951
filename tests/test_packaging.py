"""The installed package carries every data file the code reads at run time.

A file under a package that `[tool.setuptools.package-data]` does not name is left
out of the wheel: the checkout works, `pip install` does not (rules/cues/ once
shipped that way). The wheel itself is built and booted in tests/systemd; this is
the quick check of the same list.
"""

from __future__ import annotations

import subprocess
import tomllib
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Inputs of the generators (rules/cldr_gen.py, rules/places_gen.py), read at build
# time only: what they produce is in rules/actors/.
BUILD_ONLY = ("rules/curated/",)


def tracked_data_files() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "daemon", "rules", "store"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return [
        p for p in out.stdout.splitlines() if not p.endswith(".py") and not p.startswith(BUILD_ONLY)
    ]


def test_every_runtime_data_file_is_package_data() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs: dict[str, list[str]] = project["tool"]["setuptools"]["package-data"]
    files = tracked_data_files()
    assert any(p.startswith("rules/cues/") for p in files), files[:5]
    missing = []
    for path in files:
        covered = False
        for package, patterns in globs.items():
            prefix = package.replace(".", "/") + "/"
            if path.startswith(prefix):
                rest = path[len(prefix) :]
                # setuptools globs: "*" stays within one folder
                covered = covered or any(
                    fnmatch(rest, g) and rest.count("/") == g.count("/") for g in patterns
                )
        if not covered:
            missing.append(path)
    assert not missing, f"add to [tool.setuptools.package-data] in pyproject.toml: {missing}"
