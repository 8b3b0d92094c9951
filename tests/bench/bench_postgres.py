"""Several daemons on one PostgreSQL: one poll cycle over 10,000 feeds with 1, 2, 3 daemons.

The feeds are bench_poll's (a raw asyncio server on 16 loopback addresses;
90% answer 304, 10% serve five new items per poll). Each daemon is its own
process with its own Service (the GIL would serialise threads), started and
warmed before the clock runs; then all take due feeds under leases until none
is left. Reported: the cycle's wall time, feeds/s, the speedup against one
daemon on SQLite in the same run, how the feeds split between daemons, and
that each feed was polled exactly once. One cycle each: a few minutes in all.

Then the cost of coordination per poll on the same database: taking due feeds
under a lease (UPDATE ... FOR UPDATE SKIP LOCKED ... RETURNING, in the
daemon's batch size) against a plain SELECT of the due feeds, and
record_poll (which ends the lease), in microseconds per feed.

Needs $WIREWATCH_TEST_POSTGRES (`make bench` starts tests/pg_cluster.sh).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path

import psycopg

from daemon.config import load_config
from daemon.runtime.service import Service
from store import Lease, PollOutcome, open_store
from store.codec import ts
from tests.bench.bench_poll import FEEDS, ROOT, prime_store, server
from tests.support.pg import ENV, with_schema

CONCURRENCY = 64


def write_config(tmp: Path, url: str, name: str) -> Path:
    cfg = tmp / f"wirewatch-{name}.yaml"
    cfg.write_text(
        f"store: '{url}'\nrules: [{ROOT / 'rules' / 'watches'}]\nfeeds: []\n"
        "channels: {console: {type: console}}\n"
        f"poll: {{concurrency: {CONCURRENCY}, per_host: 8, batch: 500, lease: 5m}}\n",
        encoding="utf-8",
    )
    return cfg


def prime(cfg: Path, port: int) -> None:
    """bench_poll's 10,000 feeds with an ETag, the changed ones' items stored."""
    service = Service(load_config(cfg))
    try:
        prime_store(service, port)
    finally:
        asyncio.run(service.aclose())


def make_due(target: str) -> None:
    """Every feed due a minute ago, no lease held."""
    past = datetime.now(UTC) - timedelta(minutes=1)
    store = open_store(target)
    try:
        with store.db.atomic():
            store.db.execute(
                "UPDATE feeds SET next_poll_at = ?, leased_until = NULL, leased_by = NULL",
                [ts(past)],
            )
    finally:
        store.close()


def still_due(target: str) -> int:
    store = open_store(target)
    try:
        return len(store.due_feeds(datetime.now(UTC), FEEDS + 1))
    finally:
        store.close()


def daemon(cfg: str, pipe: Connection) -> None:
    """One daemon: build the service, say ready, poll one cycle on `go`, report."""

    async def run() -> None:
        service = Service(load_config(Path(cfg)))
        try:
            pipe.send("ready")
            while pipe.recv() == "go":
                started = time.perf_counter()
                reports = await service.poll_due()
                wall = time.perf_counter() - started
                pipe.send((len(reports), sum(not r.ok for r in reports), wall))
        finally:
            await service.aclose()

    asyncio.run(run())


def cycle(cfg: Path, target: str, n: int) -> tuple[float, list[int], int]:
    """One cycle over every feed with `n` daemons: wall time, feeds per daemon, failures."""
    ctx = multiprocessing.get_context("spawn")
    pipes, procs = [], []
    for _ in range(n):
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=daemon, args=(str(cfg), child), daemon=True)
        proc.start()
        pipes.append(parent)
        procs.append(proc)
    for p in pipes:
        assert p.recv() == "ready"
    make_due(target)
    started = time.perf_counter()
    for p in pipes:
        p.send("go")
    results = [p.recv() for p in pipes]
    wall = time.perf_counter() - started
    for p in pipes:
        p.send("stop")
    for proc in procs:
        proc.join(60)
    return wall, [r[0] for r in results], sum(r[1] for r in results)


def report(label: str, wall: float, polled: list[int], failed: int, base: float) -> None:
    print(
        f"{label:22} feeds={sum(polled):5d} wall={wall:6.2f}s feeds/s={sum(polled) / wall:5.0f} "
        f"speedup={base / wall:4.2f} split={polled} failed={failed} "
        f"polled_twice={sum(polled) - FEEDS}",
        flush=True,
    )


def cycles(tmp: Path, url: str, port: int) -> None:
    """SQLite with one daemon (the baseline), then PostgreSQL with one, two, three."""
    lite_cfg = write_config(tmp, str(tmp / "bench.db"), "lite")
    prime(lite_cfg, port)
    wall, polled, failed = cycle(lite_cfg, str(tmp / "bench.db"), 1)
    report("sqlite, 1 daemon", wall, polled, failed, wall)
    base = wall
    cfg = write_config(tmp, url, "pg")
    prime(cfg, port)
    for n in (1, 2, 3):
        wall, polled, failed = cycle(cfg, url, n)
        assert still_due(url) == 0
        report(f"postgresql, {n} daemon{'s' if n > 1 else ''}", wall, polled, failed, base)


def lease_cost(url: str) -> None:
    """Per feed: a leased batch take vs a plain SELECT of due feeds; record_poll."""
    store = open_store(url)
    try:
        make_due(url)
        now = datetime.now(UTC)
        started = time.perf_counter()
        plain, cursor = 0, None
        while batch := store.due_feeds(now, CONCURRENCY, cursor):
            plain += len(batch)
            cursor = batch[-1]
        select_us = (time.perf_counter() - started) / plain * 1e6
        taken = []
        lease = Lease(store.owner, now + timedelta(minutes=5))
        started = time.perf_counter()
        while batch := store.due_feeds(now, CONCURRENCY, None, lease):
            taken += batch
        lease_us = (time.perf_counter() - started) / len(taken) * 1e6
        started = time.perf_counter()
        for f in taken:
            store.record_poll(
                f.url, PollOutcome(at=now, ok=True, next_poll_at=now + timedelta(minutes=15))
            )
        record_us = (time.perf_counter() - started) / len(taken) * 1e6
        print(
            f"per feed, batches of {CONCURRENCY}: plain SELECT {select_us:5.0f} us, "
            f"leased take {lease_us:5.0f} us (x{lease_us / select_us:.1f}), "
            f"record_poll (ends the lease) {record_us:5.0f} us; feeds={len(taken)}"
        )
    finally:
        store.close()


def main() -> None:
    base = os.environ.get(ENV)
    if not base:
        print(f"skipped: {ENV} is unset (make bench starts a cluster: tests/pg_cluster.sh)")
        return
    schema = f"bench_{os.getpid()}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    url = with_schema(base, schema)
    print(f"load average before: {os.getloadavg()[0]:.2f} (other helpers share these 2 cores)")
    try:
        with tempfile.TemporaryDirectory() as tmp, server() as (port, _):
            cycles(Path(tmp), url, port)
            lease_cost(url)
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
