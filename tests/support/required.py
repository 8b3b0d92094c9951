"""A part the tests need is missing: skip with the reason, or fail where it was promised.

Under CI (`CI=true`, set by .ci/run) every part must be there. `make test` also
promises the PostgreSQL cluster it starts (WIREWATCH_REQUIRE_POSTGRES=1), so a
backend that fails to come up is a failure there, never a quiet skip.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

TRUE = ("1", "true", "yes")


def promised(flag: str | None = None) -> bool:
    """True under CI, or when the environment variable `flag` is set true."""
    names = ("CI",) if flag is None else ("CI", flag)
    return any(os.environ.get(name, "").lower() in TRUE for name in names)


def missing(message: str, *, flag: str | None = None) -> NoReturn:
    """Fail when the part was promised (see `promised`), skip with `message` otherwise."""
    if promised(flag):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)
