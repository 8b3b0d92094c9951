"""Errors raised while loading and compiling rules; each knows where it happened."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Loc:
    """A position in a file, 1-based; line 0 means the file as a whole."""

    path: Path
    line: int
    col: int

    def __str__(self) -> str:
        if self.line <= 0:
            return str(self.path)
        return f"{self.path}:{self.line}:{self.col}"


class RulesError(Exception):
    """Base of every error the rules package raises."""


class RuleSyntaxError(RulesError):
    """One problem at one place in a rule or config file."""

    def __init__(self, loc: Loc, msg: str) -> None:
        super().__init__(f"{loc}: {msg}")
        self.loc = loc
        self.msg = msg


class RuleFileErrors(RulesError):
    """Every problem found in one or more files, reported together."""

    def __init__(self, errors: Iterable[RuleSyntaxError]) -> None:
        self.errors = sorted(errors, key=lambda e: (str(e.loc.path), e.loc.line, e.loc.col))
        super().__init__("\n".join(str(e) for e in self.errors))
