"""docs/security.md names the test of each protection (tests/hostile/): each one exists,
and each hostile test module is listed."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.support.cli import ROOT

HOSTILE = Path(__file__).parent / "hostile"


def test_every_test_docs_security_names_exists() -> None:
    doc = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    named = re.findall(r"`(test_\w+\.py)(?:::(test_\w+))?`", doc)
    assert len(named) >= 15
    for module, function in named:
        path = HOSTILE / module
        assert path.exists(), f"docs/security.md names {module}, which is gone"
        if function:
            tree = ast.parse(path.read_text(encoding="utf-8"))
            names = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
            assert function in names, f"docs/security.md names {module}::{function}"


def test_every_hostile_test_module_is_in_docs_security() -> None:
    doc = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    for path in HOSTILE.glob("test_*.py"):
        assert path.name in doc, f"{path.name} is not listed in docs/security.md"
