"""What the hostile tests share: a feed an attacker writes, a config, `run --once`.

The attacker controls one feed (served on loopback as a JSON Feed, which can carry
any character, or as RSS bytes); the operator's config points at it and at the
real stand-ins for the channels (tests/daemon/slackpeer.py, aiosmtpd, the console).
Each item carries the seed article's text, so the seed watch fires on it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

from tests.conftest import SEEDS
from tests.support.cli import ROOT, wirewatch
from tests.support.spawn import command

SEED_FEED = (SEEDS / "feed.xml").read_text(encoding="utf-8")
# The seed article's HTML (Putin and Kim on the phone): the seed watch fires on it.
SEED_HTML = re.search(r"<!\[CDATA\[(.*?)\]\]>", SEED_FEED, re.S).group(1)  # type: ignore[union-attr]
WATCHES = SEEDS.parent / "rules" / "watches"


def item(
    n: int, title: str, *, url: str | None = None, html: str = SEED_HTML, **extra: Any
) -> dict[str, Any]:
    """One JSON Feed item: the seed text under an attacker's title."""
    return {
        "id": f"item-{n}",
        "url": url if url is not None else f"https://news.example.org/{n}",
        "title": title,
        "content_html": html,
        "date_published": "2026-11-27T10:00:00Z",
        **extra,
    }


def json_feed(*items: dict[str, Any]) -> bytes:
    """A JSON Feed of these items, in German."""
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Hostile news",
        "language": "de",
        "items": list(items),
    }
    return json.dumps(feed).encode()


def write_config(
    tmp_path: Path, feed_url: str, channels: str, extra: str = "", backfill: str = "all"
) -> Path:
    """A config polling `feed_url` with the seed watch, every item matched (backfill: all).

    `channels` is YAML for the channels mapping: indented lines, or " {}" for none."""
    cfg = tmp_path / "wirewatch.yaml"
    channels = channels if channels.startswith(" {") else "\n" + channels
    cfg.write_text(
        f"""store: state/wirewatch.db
rules: [{WATCHES}]
feeds:
  - url: {feed_url}
    interval: 10m
    backfill: {backfill}
channels:{channels}
{extra}""",
        encoding="utf-8",
    )
    return cfg


def run_once(
    cfg: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`wirewatch run --once` on this config, as an operator runs it."""
    return wirewatch("run", "--once", "--config", str(cfg), *args, env=env)


def start_daemon(cfg: Path) -> subprocess.Popen[str]:
    """`wirewatch run` on this config in the background, its log (INFO) on a stderr pipe."""
    env = {**os.environ, "WIREWATCH_LOG_LEVEL": "INFO"}
    env.pop("WIREWATCH_CONFIG", None)
    return subprocess.Popen(
        command("run", "--config", str(cfg)), cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True
    )


def db_path(cfg: Path) -> Path:
    return cfg.parent / "state" / "wirewatch.db"


CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def has_control(text: str) -> bool:
    """True when text carries a control character, an escape or a bidi override."""
    return bool(CONTROL.search(text))
