"""The console's settings from the daemon's config (for `run` and `web`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from daemon.config import Config
from daemon.web.app import ConsoleSettings
from daemon.web.security import Credential, require_auth_off_loopback
from rules.load import RuleSet


class HasRules(Protocol):
    """What the console reads the current rules from (the daemon's Service)."""

    rules: RuleSet
    config: Config


def console_settings(
    config: Config, current: Callable[[], HasRules], cache_dir: Path | None = None
) -> ConsoleSettings | None:
    """Console settings, or None when the config turns it off (or the store is in memory).

    Raises ConsoleAuthError for a non-loopback listener without a credential file.
    """
    http = config.http
    if http is None or not http.console or config.store == ":memory:":
        return None
    credential = Credential.load(Path(http.auth_file)) if http.auth_file else None
    host = http.listen.rpartition(":")[0]
    require_auth_off_loopback(host, credential, f"http.listen {http.listen}")
    return ConsoleSettings(
        store=config.store,
        rules=lambda: current().rules,
        rule_paths=lambda: current().config.rule_paths,
        credential=credential,
        cache_dir=cache_dir,
    )
