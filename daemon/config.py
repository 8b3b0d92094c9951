"""The daemon's configuration: one YAML file, then WIREWATCH_* env, then CLI flags.

Relative paths in the file (store, rules, local feeds) are relative to the
file's folder. Errors name file:line:col, like rule files.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from daemon.alerts.channels import ALERTERS, ChannelSettings
from daemon.alerts.stories import EscalationConfig, StoryConfig
from daemon.alerts.worker import DeliveryConfig
from daemon.poll.fetch import FetchLimits
from rules.document import Document, load_document, suggest, validate
from rules.duration import parse_duration
from rules.errors import RuleFileErrors, RuleSyntaxError
from store import is_postgres

DEFAULT_CONFIG = Path("seeds/wirewatch.yaml")
Seconds = Annotated[float, BeforeValidator(parse_duration)]
_FETCH = FetchLimits()  # the one source of fetch-bound defaults


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FeedConfig(_Strict):
    """One feed to poll."""

    url: str = Field(description="http(s) URL, file:// URL or a local path")
    interval: Seconds = Field(900.0, gt=0, description="How often to poll, e.g. 15m")
    name: str | None = Field(None, description="Display name (default: the feed's title)")
    lang: str | None = Field(None, description="Language of the feed, if it does not say")
    min_interval: Seconds = Field(120.0, gt=0, description="Never poll more often, e.g. 2m")
    max_interval: Seconds = Field(86400.0, gt=0, description="Never poll less often, e.g. 24h")
    full_text: bool = Field(False, description="Fetch each new article's page for its text")
    backfill: int | Literal["all"] = Field(
        3, ge=0, description="On the first poll, match only the newest N items (or all)"
    )


class PollConfig(_Strict):
    """How the poll loop runs. Fetch bounds default to `FetchLimits`'s: one source."""

    tick: Seconds = Field(5.0, gt=0, description="How often to look for due feeds")
    concurrency: int = Field(10, ge=1, description="Feeds fetched at once")
    timeout: Seconds = Field(
        _FETCH.total_timeout_s, gt=0, description="Total time one fetch may take"
    )
    per_host: int = Field(2, ge=1, description="Fetches at once from one host (politeness)")
    batch: int = Field(500, ge=1, description="Due feeds taken from the store at a time")
    connect_timeout: Seconds = Field(_FETCH.connect_timeout_s, gt=0, description="Time to connect")
    read_timeout: Seconds = Field(
        _FETCH.read_timeout_s, gt=0, description="Time to wait for each read"
    )
    max_bytes: int = Field(_FETCH.max_bytes, gt=0, description="Largest body read, in bytes")
    max_decoded_bytes: int = Field(
        _FETCH.max_decoded_bytes, gt=0, description="Largest body after decompression, in bytes"
    )
    max_redirects: int = Field(
        _FETCH.max_redirects, ge=0, description="Redirects followed per fetch"
    )
    user_agent: str = Field(
        _FETCH.user_agent, description="User-Agent sent with every fetch; include a contact URL"
    )
    workers: int = Field(0, ge=0, description="Processes that parse and match (0: in-process)")
    lease: Seconds = Field(
        300.0,
        gt=0,
        description="PostgreSQL: how long a daemon holds the due feeds it took; "
        "a dead daemon's feeds pass to the others after this",
    )

    def fetch_limits(self) -> FetchLimits:
        """The fetch bounds this poll config sets."""
        return FetchLimits(
            connect_timeout_s=self.connect_timeout,
            read_timeout_s=self.read_timeout,
            total_timeout_s=self.timeout,
            max_bytes=self.max_bytes,
            max_decoded_bytes=self.max_decoded_bytes,
            max_redirects=self.max_redirects,
            user_agent=self.user_agent,
        )


class HealthConfig(_Strict):
    """When a feed's trouble is told to the operator, and where."""

    channel: str | None = Field(None, description="Channel for operator notices (None: log only)")
    failing_after: Seconds = Field(6 * 3600.0, gt=0, description="Failing this long: notice")
    silent_factor: float = Field(
        4.0, gt=0, description="No new entries for this many expected gaps: notice"
    )


class HttpConfig(_Strict):
    """Where /metrics, /healthz and the web console are served (`http: null`: nowhere)."""

    listen: str = Field(
        "127.0.0.1:9187", pattern=r"^(\[[0-9a-fA-F:]+\]|[^:\s]+):\d{1,5}$", description="host:port"
    )
    console: bool = Field(True, description="Serve the web console at / (docs/console.md)")
    auth_file: str | None = Field(
        None,
        description="Credential file: a token or a pbkdf2_sha256 password hash "
        "(required off loopback)",
    )
    max_connections: int = Field(200, ge=1, description="Connections served at once")
    header_timeout: Seconds = Field(
        10.0, gt=0, description="Close a connection that sends no whole request in this time"
    )


class RetentionConfig(_Strict):
    """How long stored data is kept."""

    articles: Seconds | None = Field(
        None, gt=0, description="Prune articles fetched longer ago, e.g. 90d (hits stay)"
    )


class _Sections(_Strict):
    """The sections that the file and the running config share, declared once."""

    poll: PollConfig = Field(default_factory=PollConfig)
    health: HealthConfig = Field(default_factory=HealthConfig)
    delivery: DeliveryConfig = Field(default_factory=DeliveryConfig)
    stories: StoryConfig = Field(default_factory=StoryConfig)
    escalation: EscalationConfig = Field(default_factory=EscalationConfig)
    http: HttpConfig | None = Field(default_factory=HttpConfig)
    retention: RetentionConfig = Field(default_factory=RetentionConfig)


class ConfigFile(_Sections):
    """The top level of wirewatch.yaml."""

    store: str = Field(
        "var/wirewatch.db", description="SQLite file, or a postgresql:// URL (several daemons)"
    )
    rules: list[str] = Field(default_factory=list, description="Rule files or folders")
    feeds: list[FeedConfig] = Field(default_factory=list)
    channels: dict[str, dict[str, Any]] = Field(
        default_factory=lambda: {"console": {"type": "console"}},
        description="Alert channels by name, each with a `type` ({}: record hits only)",
    )


class Config(_Sections):
    """The validated configuration the daemon runs with: the file's sections as they are,
    paths resolved, channels validated by their own settings models."""

    path: Path | None
    store: str
    rule_paths: tuple[Path, ...] = ()
    feeds: tuple[FeedConfig, ...] = ()
    channels: dict[str, ChannelSettings] = Field(default_factory=dict)


def resolve_path(base: Path, value: str) -> Path:
    """`value` as a path, relative to `base` unless absolute (`~` expanded)."""
    p = Path(value).expanduser()
    return p if p.is_absolute() else base / p


def feed_source(base: Path, url: str) -> str:
    """A feed URL as stored: http(s) as given, local paths made absolute file paths."""
    if url.startswith(("http://", "https://")):
        return url
    if url.startswith("file://"):
        return str(Path(url[len("file://") :]).resolve())
    return str(resolve_path(base, url).resolve())


def load_config(
    path: Path | None,
    *,
    env: Mapping[str, str] | None = None,
    db: str | None = None,
) -> Config:
    """Load and validate a config file; env WIREWATCH_STORE and `db` override the store."""
    env = os.environ if env is None else env
    if path is None:
        doc = Document(Path("<defaults>"), {}, {}, {})
        base = Path.cwd()
    else:
        doc = load_document(path)
        base = path.resolve().parent
    errors: list[RuleSyntaxError] = []
    try:
        raw = validate(doc, ConfigFile)
    except RuleFileErrors as e:
        errors += e.errors
    try:
        data = doc.data if isinstance(doc.data, dict) else {}
        # No `channels` key: print alerts on the console; `channels: {}`: record hits only.
        channels = _channels(doc, data.get("channels", {"console": {"type": "console"}}))
    except RuleFileErrors as e:
        errors += e.errors
    if not errors and raw.health.channel and raw.health.channel not in channels:
        msg = f"health.channel: no channel named '{raw.health.channel}'"
        errors.append(RuleSyntaxError(doc.loc(("health", "channel")), msg))
    if errors:
        raise RuleFileErrors(errors)
    store = db or env.get("WIREWATCH_STORE") or env.get("WIREWATCH_DB") or raw.store
    if store != ":memory:" and not is_postgres(store):
        store = str(resolve_path(base if store == raw.store else Path.cwd(), store))
    feeds = tuple(f.model_copy(update={"url": feed_source(base, f.url)}) for f in raw.feeds)
    sections = {name: getattr(raw, name) for name in _Sections.model_fields}
    http = raw.http
    if http is not None and http.auth_file:
        sections["http"] = http.model_copy(
            update={"auth_file": str(resolve_path(base, http.auth_file))}
        )
    return Config(
        path=path,
        store=store,
        rule_paths=tuple(resolve_path(base, r) for r in raw.rules),
        feeds=feeds,
        channels=channels,
        **sections,
    )


def _channels(doc: Document, raw: Any) -> dict[str, ChannelSettings]:
    out: dict[str, ChannelSettings] = {}
    errors: list[RuleSyntaxError] = []
    if not isinstance(raw, dict):
        return out  # the ConfigFile model reports the wrong type
    for name, body in raw.items():
        key = ("channels", name)
        kind = body.get("type") if isinstance(body, dict) else None
        if kind not in ALERTERS:
            msg = f"channel '{name}': unknown type {kind!r}; known: {', '.join(sorted(ALERTERS))}"
            hint = suggest(str(kind), list(ALERTERS)) if kind else None
            if hint:
                msg += f" (did you mean '{hint}'?)"
            errors.append(RuleSyntaxError(doc.loc((*key, "type")), msg))
            continue
        try:
            out[name] = validate(doc, ALERTERS[kind].settings, body, base=key)
        except RuleFileErrors as e:
            errors.extend(RuleSyntaxError(x.loc, f"channel '{name}': {x.msg}") for x in e.errors)
    if errors:
        raise RuleFileErrors(errors)
    return out
