"""The service lifecycle as systemd sees it: start to READY, reload, stop, scrape.

Baseline, measured in the same run: starting Python and importing the CLI
(`python -c "import daemon.cli"`), the floor any start-up sits on.
"""

from __future__ import annotations

import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from tests.support.service import (
    ROOT,
    START_TIMEOUT_S,
    TOGETHER,
    Daemon,
    NotifySocket,
    free_port,
    write_config,
    write_feed,
    write_watch,
)

RUNS = 3


def import_s() -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import daemon.cli"], cwd=ROOT, check=True)
    return time.perf_counter() - t


def one_run(tmp: Path) -> dict[str, float]:
    (tmp / "rules.d").mkdir()
    write_watch(tmp / "rules.d" / "watch.yaml", "pair")
    write_feed(tmp / "feed.xml", [(f"n{i}", TOGETHER) for i in range(20)])
    addr = f"127.0.0.1:{free_port()}"
    cfg = write_config(tmp, http=f"{{listen: '{addr}'}}")
    out: dict[str, float] = {}
    with NotifySocket(str(tmp / "notify.sock")) as notify:
        t = time.perf_counter()
        with Daemon(cfg, {"NOTIFY_SOCKET": notify.env_value}, tmp / "out.txt") as d:
            notify.wait_for("READY", START_TIMEOUT_S)
            out["start to READY"] = time.perf_counter() - t
            d.wait_log("feed polled")
            t = time.perf_counter()
            for _ in range(20):
                urllib.request.urlopen(f"http://{addr}/metrics", timeout=10).read()
            out["GET /metrics"] = (time.perf_counter() - t) / 20
            t = time.perf_counter()
            d.signal(signal.SIGHUP)
            notify.wait_for("RELOADING")
            notify.wait_for("READY")
            out["SIGHUP to READY"] = time.perf_counter() - t
            t = time.perf_counter()
            d.signal(signal.SIGTERM)
            d.wait()
            out["SIGTERM to exit"] = time.perf_counter() - t
    return out


def main() -> None:
    base = statistics.median(import_s() for _ in range(RUNS))
    runs = []
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory() as tmp:
            runs.append(one_run(Path(tmp)))
    print(f"baseline: python -c 'import daemon.cli' {base * 1e3:.0f} ms (median of {RUNS})")
    for key in runs[0]:
        median = statistics.median(r[key] for r in runs)
        print(f"{key:16} {median * 1e3:8.1f} ms  ({median / base:.2f}x baseline)")
