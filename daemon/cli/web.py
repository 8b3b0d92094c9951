"""`wirewatch web` (the console without polling) and `wirewatch mute` / `unmute`."""

from __future__ import annotations

import getpass
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import click

from daemon.cli.options import config_option, db_option, get_config, open_store, user_errors
from daemon.runtime.paths import cache_dir
from rules.duration import parse_duration
from rules.load import load_rules
from store import MUTE_KINDS, read_only_reason, redact
from store import open_store as open_target

log = logging.getLogger("wirewatch")


@click.command()
@config_option
@db_option
@click.option("--listen", help="host:port (default: the config's http.listen).")
@click.option(
    "--auth-file",
    type=click.Path(path_type=Path),
    help="Credential file (a token or a password hash); required off loopback.",
)
@click.option(
    "--hash-password", is_flag=True, help="Print a password hash for a credential file and exit."
)
@click.option(
    "--read-only",
    is_flag=True,
    help="Never write the store: no migration, writes refused (automatic on a standby "
    "or a read-only file).",
)
def web(
    config_path: Path | None,
    db: str | None,
    listen: str | None,
    auth_file: Path | None,
    hash_password: bool,
    read_only: bool,
) -> None:
    """Serve the web console against a store, without polling (a laptop, a replica)."""
    from daemon.config import HttpConfig
    from daemon.runtime.metrics import HttpListenError
    from daemon.web.console import console_settings
    from daemon.web.security import hash_password as make_hash
    from daemon.web.serve import AppServer, Limits, bind

    if hash_password:
        password = getpass.getpass("password: ")
        if len(password) < 12:
            raise click.ClickException("use a password of at least 12 characters")
        click.echo(make_hash(password))
        return
    with user_errors():
        config = get_config(config_path, db)
        http = config.http or HttpConfig()
        update: dict[str, object] = {"console": True}
        if listen:
            update["listen"] = listen
        if auth_file:
            update["auth_file"] = str(auth_file)
        config = config.model_copy(update={"http": http.model_copy(update=update)})
        reason = read_only_reason(config.store)
        if reason is not None:
            log.info("the store cannot be written: serving it read-only reason=%s", reason)
        elif read_only:
            reason = f"{redact(config.store)}: opened with --read-only"
        # Read-only: checks the schema and never migrates; else creates and migrates once.
        open_target(config.store, read_only=reason is not None).close()
        current = SimpleNamespace(
            rules=load_rules(config.rule_paths, cache_dir=cache_dir()), config=config
        )
        settings = console_settings(config, lambda: current, cache_dir())
        if settings is None:
            raise click.ClickException("the console needs a database file or URL, not :memory:")
        settings.read_only = reason
        from daemon.web.app import build_app

        assert config.http is not None
        host, _, port = config.http.listen.rpartition(":")
        try:
            sock = bind(host.strip("[]"), int(port))
        except (OSError, ValueError) as e:
            raise HttpListenError(config.http.listen, str(e)) from e
    bound = sock.getsockname()[1]
    where = f"[{host.strip('[]')}]:{bound}" if ":" in host.strip("[]") else f"{host}:{bound}"
    log.info("console at http://%s/", where)
    limits = Limits(config.http.max_connections, config.http.header_timeout)
    AppServer(build_app(settings), sock, limits).serve()


@click.command()
@config_option
@db_option
@click.argument("kind", type=click.Choice(MUTE_KINDS))
@click.argument("target", required=False)
@click.option("--for", "period", default="1d", show_default=True, help="How long, e.g. 2h, 3d.")
@click.option("--reason", help="Why (shown in the console and status).")
def mute(
    config_path: Path | None,
    db: str | None,
    kind: str,
    target: str | None,
    period: str,
    reason: str | None,
) -> None:
    """Mute a watch, story or actor: its hits are recorded but alert nobody.

    Without TARGET, list the mutes in force.
    """
    store = open_store(config_path, db)
    now = datetime.now(UTC)
    try:
        if target is None:
            for m in store.mutes(now):
                if m.kind == kind:
                    click.echo(
                        f"{m.id}  {m.kind} {m.target} until {m.until:%Y-%m-%d %H:%M}  "
                        f"{m.reason or ''}"
                    )
            return
        try:
            seconds = parse_duration(period)
        except ValueError as e:
            raise click.BadParameter(str(e), param_hint="--for") from e
        until = now + timedelta(seconds=seconds)
        store.add_mute(kind, target, until, now, reason)
        click.echo(f"muted {kind} {target} until {until:%Y-%m-%d %H:%M} UTC")
    finally:
        store.close()


@click.command()
@config_option
@db_option
@click.argument("mute_id", type=int)
def unmute(config_path: Path | None, db: str | None, mute_id: int) -> None:
    """End a mute now (its id: `wirewatch status` or `wirewatch mute KIND`)."""
    store = open_store(config_path, db)
    try:
        store.remove_mute(mute_id)
    finally:
        store.close()
    click.echo(f"unmuted {mute_id}")
