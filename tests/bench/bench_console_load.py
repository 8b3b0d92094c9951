"""Poll cycle time of a real daemon with and without 20 console requests/s on its listener.

A real `wirewatch run` (one process: the poller and, on its own thread, the
console) polls FEEDS loopback feeds (the server of bench_poll.py: 90% answer
304, 10% list 5 new items at each poll, in German, matched against the shipped
watches) into a real SQLite file that holds a synthetic history first
(bench_console.build: HITS hits over ARTICLES articles). The bench makes every
feed due at once (one UPDATE, as an operator's `feeds` table edit would), so
each cycle is one sweep over all of them; the daemon's log line per cycle
(`poll cycle feeds=N ... elapsed_s=`) gives its time.

Phases alternate quiet / loaded (ABAB, so that a drift in the other helpers'
load on these 2 cores falls on both): in a loaded phase another process sends
20 requests/s, open loop (a slow answer does not lower the rate), round robin
over the overview, the hit list, a search and a story page. Reported: median
cycle time per phase kind and their ratio (the baseline is the quiet phases of
the same run), the requests answered and their median and p95 latency.
WIREWATCH_BENCH_LOAD_WORKERS sets poll.workers (default 0: parse and match in
the daemon's process, beside the console).
"""

from __future__ import annotations

import multiprocessing
import os
import re
import signal
import sqlite3
import statistics
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event as EventType
from pathlib import Path

from store.sqlite import open_sqlite
from tests.bench.bench_console import build
from tests.bench.bench_poll import ETAG, feed_url, server
from tests.support.net import free_port
from tests.support.service import ROOT, Daemon

FEEDS = int(os.environ.get("WIREWATCH_BENCH_LOAD_FEEDS", "300"))
HITS = int(os.environ.get("WIREWATCH_BENCH_LOAD_HITS", "100000"))
ARTICLES = int(os.environ.get("WIREWATCH_BENCH_LOAD_ARTICLES", "500000"))
INTERVAL = "1h"  # never due by itself during the run: the bench makes feeds due
CYCLES = int(os.environ.get("WIREWATCH_BENCH_LOAD_CYCLES", "8"))  # per phase
WORKERS = int(os.environ.get("WIREWATCH_BENCH_LOAD_WORKERS", "0"))  # poll.workers
RATE = 20.0  # console requests per second in a loaded phase
PAGES = ["/", "/hits", "/hits?q=Gipfel", "/stories/1234"]
ELAPSED = re.compile(r"poll cycle feeds=(\d+) failed=(\d+) elapsed_s=([0-9.]+)")


def prepare(tmp: Path, port: int) -> Path:
    """The store (a synthetic history, the feeds with an ETag) and the daemon's config."""
    db_path = tmp / "load.db"
    build(db_path, HITS, ARTICLES)
    store = open_sqlite(db_path)
    now = datetime.now(UTC)
    store.db.execute("DELETE FROM feeds")  # build's placeholder feed is no real address
    for i in range(FEEDS):
        store.add_feed(feed_url(i, port), 3600, now)
    store.db.execute("UPDATE feeds SET etag = ?", [ETAG])
    store.close()
    fixed = f"interval: {INTERVAL}, min_interval: {INTERVAL}, max_interval: {INTERVAL}"
    feeds = "\n".join(f"  - {{url: '{feed_url(i, port)}', {fixed}}}" for i in range(FEEDS))
    cfg = tmp / "wirewatch.yaml"
    cfg.write_text(
        f"store: {db_path}\nrules: [{ROOT / 'rules' / 'watches'}]\nfeeds:\n{feeds}\n"
        "channels: {}\n"
        f"poll: {{tick: 0.2s, concurrency: 32, per_host: 8, workers: {WORKERS}}}\n"
        f"http: {{listen: '127.0.0.1:{free_port()}'}}\n",
        encoding="utf-8",
    )
    return cfg


def load(base: str, stop: EventType, running: EventType, out: Connection) -> None:
    """Open-loop load: RATE requests/s until `stop`; sends (answered, errors, latencies).

    `running` is set once the console has answered the first request."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def one(path: str) -> None:
        t = time.perf_counter()
        try:
            with urllib.request.urlopen(base + path, timeout=30) as r:
                r.read()
            with lock:
                latencies.append(time.perf_counter() - t)
            running.set()
        except OSError:
            with lock:
                errors[0] += 1

    started = time.perf_counter()
    threads = []
    n = 0
    while not stop.is_set():
        due = started + n / RATE
        time.sleep(max(0.0, due - time.perf_counter()))
        th = threading.Thread(target=one, args=(PAGES[n % len(PAGES)],), daemon=True)
        th.start()
        threads.append(th)
        n += 1
    for th in threads:
        th.join(60)
    out.send((len(latencies), errors[0], latencies, time.perf_counter() - started))


def make_due(db_path: Path) -> None:
    """Every feed due now (its next poll a minute ago)."""
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat(timespec="microseconds")
    conn = sqlite3.connect(db_path, timeout=30)
    try:
        with conn:
            conn.execute("UPDATE feeds SET next_poll_at = ?", [past])
    finally:
        conn.close()


def cycles(d: Daemon, db_path: Path, count: int) -> list[float]:
    """Make every feed due, `count` times in turn; the elapsed time of each whole cycle."""
    out: list[float] = []
    for _ in range(count):
        after = len(d.lines)
        make_due(db_path)
        while True:
            line = d.wait_log("poll cycle feeds=", after, timeout_s=300)
            after = d.lines.index(line, after) + 1
            m = ELAPSED.search(line)
            if m and int(m.group(1)) == FEEDS:
                out.append(float(m.group(3)))
                break
    return out


def phase(
    d: Daemon, db_path: Path, base: str, loaded: bool
) -> tuple[list[float], tuple[int, int, list[float]]]:
    """One phase's cycle times, and what the console answered meanwhile (if loaded)."""
    if not loaded:
        return cycles(d, db_path, CYCLES), (0, 0, [])
    ctx = multiprocessing.get_context("spawn")
    parent, child, stop, running = *ctx.Pipe(), ctx.Event(), ctx.Event()
    proc = ctx.Process(target=load, args=(base, stop, running, child), daemon=True)
    proc.start()
    try:
        # The load is running before the first cycle starts.
        if not running.wait(60):
            raise SystemExit("the console answered no request of the load in 60 s")
        times = cycles(d, db_path, CYCLES)
        stop.set()
        answered, errors, latencies, _ = parent.recv()
    finally:
        proc.join(120)
    return times, (answered, errors, latencies)


def main() -> None:
    print(f"load average before: {os.getloadavg()[0]:.2f} (other helpers share these 2 cores)")
    with tempfile.TemporaryDirectory() as tmp_name, server() as (port, _pid):
        tmp = Path(tmp_name)
        cfg = prepare(tmp, port)
        db_path = tmp / "load.db"
        with Daemon(cfg, {}, tmp / "out.txt") as d:
            line = d.wait_log("console at http://127.0.0.1:", timeout_s=180)
            base = line.split("console at ")[1].split()[0].rstrip("/")
            cycles(d, db_path, 2)  # warm-up: the changed feeds' first whole lists
            quiet: list[float] = []
            loaded: list[float] = []
            answered, errors, latencies = 0, 0, []
            for kind in ("quiet", "loaded", "quiet", "loaded"):
                times, (n, e, lat) = phase(d, db_path, base, kind == "loaded")
                (loaded if kind == "loaded" else quiet).extend(times)
                answered, errors, latencies = answered + n, errors + e, latencies + lat
                print(f"  {kind:6} cycles (s): {' '.join(f'{t:.2f}' for t in times)}", flush=True)
            d.signal(signal.SIGTERM)  # a clean stop ends its parse/match workers too
            d.wait()
    q, lo = statistics.median(quiet), statistics.median(loaded)
    print(
        f"{FEEDS} loopback feeds (synthetic German items, shipped watches), store "
        f"{HITS:,} hits / {ARTICLES:,} articles (synthetic), poll.workers {WORKERS}"
    )
    print(f"poll cycle median, quiet (baseline): {q:.3f} s over {len(quiet)} cycles")
    print(f"poll cycle median, {RATE:.0f} console req/s: {lo:.3f} s over {len(loaded)} cycles")
    print(f"ratio loaded / quiet: {lo / q:.2f}")
    if latencies:
        ms = sorted(x * 1000 for x in latencies)
        print(
            f"console: {answered} answered, {errors} failed, median {statistics.median(ms):.0f} ms,"
            f" p95 {ms[int(0.95 * (len(ms) - 1))]:.0f} ms"
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
