"""The `fulltext` extra imports, and its log names what is really missing."""

from __future__ import annotations

import subprocess
import sys
import tomllib

from tests.support.cli import ROOT


def test_the_fulltext_extra_brings_what_trafilatura_imports_under_lxml_6() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    names = {r.split(">")[0].split("[")[0].strip().lower() for r in extras["fulltext"]}
    assert {"trafilatura", "lxml_html_clean"} <= names
    result = subprocess.run(
        [sys.executable, "-c", "import trafilatura, lxml_html_clean"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_a_missing_dependency_of_trafilatura_is_named_not_trafilatura() -> None:
    code = (
        "import sys, logging\n"
        "logging.basicConfig(level=logging.WARNING, format='%(message)s')\n"
        "sys.modules['lxml_html_clean'] = None\n"
        "sys.modules['lxml.html.clean'] = None\n"
        "from daemon.poll.fulltext import extract_text\n"
        "assert extract_text(b'<p>x</p>', 'https://x.example/') is None\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "trafilatura is installed but cannot import lxml.html.clean" in result.stderr
    assert "needs trafilatura" not in result.stderr
