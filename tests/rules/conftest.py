"""Shared fixtures for the rules tests: one engine over the multilingual test actors."""

from __future__ import annotations

from pathlib import Path

import pytest

from rules.engine import Engine
from rules.load import RuleSet, load_rules

DATA = Path(__file__).resolve().parents[1] / "data" / "rules"
MULTI = DATA / "multilingual.yaml"


@pytest.fixture(scope="session")
def multi_rules() -> RuleSet:
    return load_rules([MULTI], shipped_actors=False)


@pytest.fixture(scope="session")
def engine(multi_rules: RuleSet) -> Engine:
    return Engine(multi_rules)


@pytest.fixture(scope="session")
def library_engine() -> Engine:
    """One engine over the shipped library, shared by the tests that compile many languages."""
    return Engine(load_rules())
