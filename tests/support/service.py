"""The real daemon in a subprocess, a notify socket the test owns, and feed/rule files."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from types import TracebackType

from daemon.config import FeedConfig
from tests.support.feeds import Item, rss
from tests.support.spawn import command

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 90.0  # imports and spaCy on a busy 2-core machine
WAIT_S = 60.0

# Drop CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH and CAP_FOWNER from the bounding set
# (PR_CAPBSET_DROP), then exec: file modes bind even root, as they bind the
# service under the unit's empty CapabilityBoundingSet=.
DROP_DAC = """
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
for cap in (1, 2, 3):
    if libc.prctl(24, cap, 0, 0, 0) != 0 and os.geteuid() == 0:
        sys.exit(f"cannot drop capability {cap}: errno {ctypes.get_errno()}")
os.execv(sys.argv[1], sys.argv[1:])
"""

# Where feeds have an adaptive schedule (min_interval/max_interval), pin it to
# the one-second interval these tests poll at.
FIXED_SCHEDULE = (
    ", min_interval: 1s, max_interval: 1s" if "min_interval" in FeedConfig.model_fields else ""
)

TOGETHER = "Russland und Nordkorea vertiefen ihre militärische Zusammenarbeit."


class NotifySocket:
    """A datagram socket playing systemd's side of sd_notify."""

    def __init__(self, address: str) -> None:
        self.env_value = address
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind("\0" + address[1:] if address.startswith("@") else address)
        self.messages: list[dict[str, str]] = []

    def next(self, timeout_s: float = WAIT_S) -> dict[str, str]:
        """The next message as a dict of its KEY=value lines."""
        self.sock.settimeout(timeout_s)
        data = self.sock.recv(65536).decode()
        msg = dict(line.split("=", 1) for line in data.splitlines() if "=" in line)
        self.messages.append(msg)
        return msg

    def wait_for(self, key: str, timeout_s: float = WAIT_S) -> dict[str, str]:
        """Read messages until one carries `key`."""
        while True:
            msg = self.next(timeout_s)
            if key in msg:
                return msg

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> NotifySocket:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Daemon:
    """`wirewatch run` as systemd would start it; stderr collected line by line."""

    def __init__(
        self, config: Path, env: dict[str, str], stdout: Path, *, drop_dac: bool = False
    ) -> None:
        full_env = {**os.environ, "WIREWATCH_LOG_LEVEL": "INFO", **env}
        full_env.pop("WIREWATCH_CONFIG", None)
        full_env.pop("JOURNAL_STREAM", None)
        self._out = stdout.open("w")
        self.proc = subprocess.Popen(
            [
                *([sys.executable, "-c", DROP_DAC] if drop_dac else []),
                *command("run", "--config", str(config)),
            ],
            cwd=ROOT,
            env=full_env,
            stdout=self._out,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            with self._cond:
                self.lines.append(line.rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self.lines.append("<eof>")
            self._cond.notify_all()

    def wait_log(self, text: str, after: int = 0, timeout_s: float = WAIT_S) -> str:
        """The first stderr line at index >= `after` containing `text`."""

        def found() -> str | None:
            return next((x for x in self.lines[after:] if text in x or x == "<eof>"), None)

        with self._cond:
            line = self._cond.wait_for(found, timeout_s)
        assert line and line != "<eof>", f"no log line with {text!r}:\n" + "\n".join(self.lines)
        return line

    def signal(self, sig: signal.Signals) -> None:
        self.proc.send_signal(sig)

    def wait(self, timeout_s: float = WAIT_S) -> int:
        code = self.proc.wait(timeout_s)
        self._reader.join(timeout_s)
        return code

    def __enter__(self) -> Daemon:
        return self

    def __exit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(WAIT_S)
        self._reader.join(WAIT_S)
        assert self.proc.stderr is not None
        self.proc.stderr.close()
        self._out.close()


def write_feed(path: Path, items: list[tuple[str, str]]) -> None:
    """An RSS file in German with (guid, text) items; replaced atomically."""
    tmp = path.with_suffix(".tmp")
    news = "https://news.example.org/"
    tmp.write_bytes(rss(*(Item(g, g, t, news + g) for g, t in items), lang="de"))
    tmp.replace(path)


def write_watch(path: Path, watch_id: str) -> None:
    """A rule file with one watch on Russia and North Korea in one sentence."""
    path.write_text(
        f'version: "1"\nwatches:\n  - id: {watch_id}\n    all: [RUS, PRK]\n'
        "    scope: sentence\n    severity: high\n",
        encoding="utf-8",
    )


def write_config(tmp: Path, channels: str = "console: {type: console}", **extra: str) -> Path:
    """A config polling tmp/feed.xml every second with rules from tmp/rules.d."""
    (tmp / "rules.d").mkdir(exist_ok=True)
    cfg = tmp / "wirewatch.yaml"
    lines = [
        "store: state/wirewatch.db",
        "rules: [rules.d]",
        "feeds:",
        f"  - {{url: feed.xml, interval: 1s{FIXED_SCHEDULE}}}",
        "channels:",
        f"  {channels}",
        "poll: {tick: 0.2s}",
        f"http: {extra.get('http', 'null')}",
    ]
    cfg.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return cfg
