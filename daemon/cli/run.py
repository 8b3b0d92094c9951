"""`wirewatch run` (the daemon) and `wirewatch check` (config and rules)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from daemon.cli.options import config_option, db_option, get_config, user_errors
from daemon.config import Config
from daemon.runtime.logs import REDACTOR, secret_values
from daemon.runtime.paths import cache_dir, runtime_dir
from daemon.runtime.reloads import FILENAME
from rules.duration import parse_duration
from rules.load import RuleSet, load_rules

if TYPE_CHECKING:
    from daemon.alerts.channels import Channel

log = logging.getLogger("wirewatch")


@click.command()
@config_option
@db_option
@click.option("--once", is_flag=True, help="Poll every feed once, deliver, and exit.")
@click.option(
    "--stop-grace",
    default="20s",
    envvar="WIREWATCH_STOP_GRACE",
    show_default=True,
    help="On SIGTERM, how long running polls and deliveries may finish (< TimeoutStopSec).",
)
def run(config_path: Path | None, db: str | None, once: bool, stop_grace: str) -> None:
    """Run the daemon (poll feeds, match, record, alert)."""
    from daemon.runtime.lock import hold_store_lock
    from daemon.runtime.loop import run_forever
    from daemon.runtime.service import Service

    try:
        grace_s = parse_duration(stop_grace)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--stop-grace") from e

    def build() -> Service:
        config = get_config(config_path, db)
        REDACTOR.add(secret_values(config.channels.values()))
        return Service(config)

    async def go() -> None:
        with user_errors():
            # Held until the process ends: one daemon per SQLite store.
            lock = hold_store_lock(get_config(config_path, db).store)  # noqa: F841
            service = build()
        try:
            if once:
                reports = await service.run_once()
                failed = [r for r in reports if not r.ok]
                log.info("poll done feeds=%d failed=%d", len(reports), len(failed))
            else:
                with user_errors():
                    service = await run_forever(
                        service, reload=build, grace_s=grace_s, reload_state=reload_state_path()
                    )
        finally:
            await service.aclose()

    asyncio.run(go())


async def _close(channels: Iterable[Channel]) -> None:
    for channel in channels:
        await channel.aclose()


def load_checked(config_path: Path | None) -> tuple[Config, RuleSet]:
    """The config and its rules, validated; on any error its message and exit 1."""
    with user_errors():
        config = get_config(config_path, None)
        return config, load_rules(config.rule_paths, cache_dir=cache_dir())


def reload_state_path() -> Path | None:
    """Where the daemon records its reloads for `wirewatch reload`: in the runtime dir."""
    folder = runtime_dir()
    return folder / FILENAME if folder else None


@click.command()
@config_option
def check(config_path: Path | None) -> None:
    """Validate the config and every rule file; exit 1 on any error."""
    from daemon.runtime.service import build_channels

    config, rules = load_checked(config_path)
    with user_errors():
        # What `run` would refuse, `check` refuses: building the channels resolves each
        # secret (env var, file, credential) the way the daemon does.
        channels = build_channels(config)
        asyncio.run(_close(channels.values()))
    click.echo(
        f"ok: {len(rules.actors)} actors, {len(rules.watches)} watches, "
        f"{len(config.feeds)} feeds, {len(config.channels)} channels"
    )
