"""Several daemons on one PostgreSQL: one poll cycle over 10,000 feeds with 1, 2, 3 daemons.

The feeds are bench_poll's (a raw asyncio server on 16 loopback addresses;
90% answer 304, 10% serve five new items per poll). Each daemon is its own
process with its own Service (the GIL would serialise threads), started and
warmed before the clock runs; then all take due feeds under leases until none
is left. Reported: the cycle's wall time, feeds/s, how the feeds split between
daemons, and that each feed was polled exactly once.

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
from daemon.service import Service
from store import Lease, PollOutcome, Store
from tests.bench.bench_poll import FEEDS, ROOT, prime_store, server
from tests.pg import ENV, with_schema

CONCURRENCY = 64


def write_config(tmp: Path, url: str) -> Path:
    cfg = tmp / "wirewatch.yaml"
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


def make_due(url: str) -> None:
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat(timespec="microseconds")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "UPDATE feeds SET next_poll_at = %s, leased_until = NULL, leased_by = NULL", [past]
        )


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


def cycles(cfg: Path, url: str) -> None:
    ctx = multiprocessing.get_context("spawn")
    for n in (1, 2, 3):
        pipes, procs = [], []
        for _ in range(n):
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=daemon, args=(str(cfg), child), daemon=True)
            proc.start()
            pipes.append(parent)
            procs.append(proc)
        for p in pipes:
            assert p.recv() == "ready"
        make_due(url)
        started = time.perf_counter()
        for p in pipes:
            p.send("go")
        results = [p.recv() for p in pipes]
        wall = time.perf_counter() - started
        for p in pipes:
            p.send("stop")
        for proc in procs:
            proc.join(60)
        polled = [r[0] for r in results]
        failed = sum(r[1] for r in results)
        with psycopg.connect(url) as conn:
            (due,) = conn.execute(
                "SELECT count(*) FROM feeds WHERE next_poll_at <= %s",
                [datetime.now(UTC).isoformat()],
            ).fetchone() or (0,)
        print(
            f"daemons={n} feeds={sum(polled):5d} wall={wall:6.2f}s "
            f"feeds/s={sum(polled) / wall:6.0f} split={polled} failed={failed} "
            f"still_due={due} polled_twice={sum(polled) - FEEDS}",
            flush=True,
        )


def lease_cost(url: str) -> None:
    """Per feed: a leased batch take vs a plain SELECT of due feeds; record_poll."""
    store = Store.open(url)
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
            cfg = write_config(Path(tmp), url)
            prime(cfg, port)
            cycles(cfg, url)
            lease_cost(url)
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
