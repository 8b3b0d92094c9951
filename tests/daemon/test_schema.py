"""`wirewatch schema` prints a JSON Schema that real rule files pass and broken ones fail."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from rules.load import SHIPPED_ACTORS, SHIPPED_WATCHES
from tests.conftest import DATA
from tests.support.cli import wirewatch

pytestmark = pytest.mark.slow  # every test here starts wirewatch in a process


def schema_validator() -> Draft202012Validator:
    result = wirewatch("schema")
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def test_rule_files_validate_against_the_schema() -> None:
    validator = schema_validator()
    files = [
        *SHIPPED_WATCHES.glob("*.yaml"),
        *sorted(SHIPPED_ACTORS.glob("*.yaml"))[:20],
        *(DATA / "rules").glob("*.yaml"),
    ]
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        errors = [e.message for e in validator.iter_errors(data)]
        assert errors == [], path


def test_the_schema_rejects_what_check_rejects() -> None:
    validator = schema_validator()
    assert validator.is_valid({"watches": [{"id": "x", "all": ["RUS"], "scope": {"within": 5}}]})
    for bad in (
        {"id": "x", "all": ["RUS"], "scope": "sentense"},
        {"id": "y", "all": ["RUS"], "scope": {"within": 0}},
        {"id": "z", "any": ["RUS"], "treshold": 2},
        {"id": "w", "any": ["RUS"], "weights": {"RUS": "heavy"}, "threshold": 2},
    ):
        assert not validator.is_valid({"watches": [bad]}), bad


def test_schema_writes_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "rules.schema.json"
    result = wirewatch("schema", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["title"] == "wirewatch rule file"
    result = wirewatch("schema", "-o", str(tmp_path / "missing" / "x.json"))
    assert result.returncode == 1
    assert "cannot write" in result.stderr and "Traceback" not in result.stderr
