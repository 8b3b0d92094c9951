"""One poll cycle over 10,000 feeds on loopback: 90% answer 304, 10% serve a changed feed.

The server is a raw asyncio HTTP responder in its own process, listening on
16 loopback addresses (127.0.0.1-16) so that the per-host limit applies as it
would across real sites. A changed feed lists 50 items of which 5 are new at
each poll (a rolling window), so every changed feed is fetched and parsed
whole and its new items are matched against the shipped example watches.

Reported per cycle: wall time, CPU seconds (this process, the parse/match
workers and the server separately), peak RSS, and feeds/s against a plain
sequential `feedparser.parse(url, etag=...)` loop over the same server in the
same run.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser

from daemon.config import load_config
from daemon.poll.parse import article_id
from daemon.runtime.service import Service
from rules.model import Article

FEEDS = 10_000
HOSTS = 16
ITEMS = 50
NEW_PER_POLL = 5
ETAG = '"v1"'
ROOT = Path(__file__).resolve().parents[2]
TICK = os.sysconf("SC_CLK_TCK")
TEXTS = (
    "Der russische Präsident sprach am Dienstag mit Kim Jong Un. Moskau und Pjöngjang "
    "wollen ihre Zusammenarbeit vertiefen, teilte der Kreml mit.",
    "The central bank held rates steady on Thursday, citing slowing inflation and a "
    "resilient labour market. Analysts had expected the decision.",
    "Le gouvernement a présenté son budget pour l'année prochaine. Les dépenses de "
    "défense augmentent, celles de la culture baissent légèrement.",
)


def is_changed(i: int) -> bool:
    return i % 10 == 0


def host(i: int) -> str:
    return f"127.0.0.{1 + i % HOSTS}"


def feed_url(i: int, port: int, prefix: str = "f") -> str:
    return f"http://{host(i)}:{port}/{prefix}{i}"


def item_xml(i: int, k: int) -> str:
    text = TEXTS[(i + k) % len(TEXTS)]
    when = datetime(2026, 6, 1, tzinfo=UTC) + timedelta(minutes=10 * k)
    return (
        f"<item><guid>f{i}-{k}</guid><link>https://news{i % 97}.example/{i}/{k}</link>"
        f"<title>Item {k} of feed {i}</title><pubDate>{when:%a, %d %b %Y %H:%M:%S} +0000"
        f"</pubDate><description>&lt;p&gt;{text}&lt;/p&gt;&lt;p&gt;{text}&lt;/p&gt;"
        f"</description></item>"
    )


def feed_body(i: int, poll: int) -> bytes:
    """Feed i at its poll-th fetch: 50 items, 5 newer than at the previous fetch."""
    first = poll * NEW_PER_POLL
    items = "".join(item_xml(i, k) for k in range(first + ITEMS - 1, first - 1, -1))
    return (
        f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>Feed {i}</title><language>de</language>{items}</channel></rss>"
    ).encode()


def serve(port_out: multiprocessing.connection.Connection) -> None:
    """The loopback server process: 304 for unchanged feeds, a moving window otherwise."""
    polls: dict[bytes, int] = {}  # per path: how often it was served whole

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ", 2)[1]
                i = int(path[2:])
                if not is_changed(i) and ETAG.encode() in head:
                    writer.write(
                        b"HTTP/1.1 304 Not Modified\r\netag: " + ETAG.encode() + b"\r\n"
                        b"content-length: 0\r\n\r\n"
                    )
                else:
                    polls[path] = polls.get(path, 0) + 1
                    body = feed_body(i, polls[path])
                    writer.write(
                        b"HTTP/1.1 200 OK\r\ncontent-type: application/rss+xml\r\n"
                        + f"etag: {ETAG}\r\ncontent-length: {len(body)}\r\n\r\n".encode()
                        + body
                    )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ValueError, IndexError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        first = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024)
        port = first.sockets[0].getsockname()[1]
        for h in range(2, HOSTS + 1):
            await asyncio.start_server(handle, f"127.0.0.{h}", port, backlog=1024)
        port_out.send(port)
        await asyncio.Event().wait()

    asyncio.run(main())


def proc_cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def proc_peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


@contextmanager
def server() -> Iterator[tuple[int, int]]:
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=serve, args=(child,), daemon=True)
    proc.start()
    try:
        yield parent.recv(), proc.pid or 0
    finally:
        proc.terminate()
        proc.join(5)


def write_config(tmp: Path, workers: int) -> Path:
    cfg = tmp / f"wirewatch-{workers}.yaml"
    cfg.write_text(
        f"store: {tmp / 'bench.db'}\nrules: [{ROOT / 'rules' / 'watches'}]\nfeeds: []\n"
        "channels: {}\n"  # hits are recorded; alerting is measured in bench_alerts
        f"poll: {{concurrency: 64, per_host: 8, batch: 500, workers: {workers}}}\n",
        encoding="utf-8",
    )
    return cfg


def prime_store(service: Service, port: int) -> None:
    """10,000 feeds with an ETag, the changed ones' current items already stored."""
    now = datetime.now(UTC)
    for i in range(FEEDS):
        service.store.add_feed(feed_url(i, port), 900, now)
    db = service.store.db
    with db.atomic():
        db.execute("UPDATE feeds SET etag = ?", [ETAG])
        for i in range(0, FEEDS, 10):
            url = feed_url(i, port)
            for k in range(ITEMS):  # what the feed listed before: poll 0
                aid = article_id(url, f"f{i}-{k}", "", "", "")
                db.execute(
                    "INSERT INTO articles (id, feed_url, guid, fetched_at)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",  # SQLite and PostgreSQL
                    [aid, url, f"f{i}-{k}", now.isoformat()],
                )


def make_due(service: Service, which: str) -> int:
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat(timespec="microseconds")
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat(timespec="microseconds")
    db = service.store.db
    with db.atomic():
        db.execute("UPDATE feeds SET next_poll_at = ?", [future])
        cond = {"all": "1", "changed": "url LIKE '%/f%0'", "unchanged": "url NOT LIKE '%/f%0'"}
        db.execute(f"UPDATE feeds SET next_poll_at = ? WHERE {cond[which]}", [past])
    return len(service.store.due_feeds(datetime.now(UTC), FEEDS + 1))


def warm_up() -> Article:
    return Article("warm", "warm", "", "", TEXTS[0], lang="de")


def worker_pids(service: Service) -> list[int]:
    pool = getattr(service.analyzer, "pool", None)
    return list(getattr(pool, "_processes", {}) or {})


async def cycle(service: Service, which: str, server_pid: int) -> str:
    due = make_due(service, which)
    pids = worker_pids(service)
    cpu0 = os.times()
    others0 = sum(proc_cpu_s(p) for p in pids)
    srv0 = proc_cpu_s(server_pid)
    started = time.perf_counter()
    reports = await service.poll_due()
    wall = time.perf_counter() - started
    cpu1 = os.times()
    own = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
    workers = sum(proc_cpu_s(p) for p in worker_pids(service)) - others0
    srv = proc_cpu_s(server_pid) - srv0
    rss = proc_peak_rss_mb(os.getpid())
    worker_rss = sum(proc_peak_rss_mb(p) for p in worker_pids(service))
    new = sum(r.new for r in reports)
    failed = sum(not r.ok for r in reports)
    assert len(reports) == due and not failed, (len(reports), due, failed)
    return (
        f"{which:9} feeds={len(reports):5d} new={new:5d} wall={wall:6.2f}s "
        f"feeds/s={len(reports) / wall:7.0f} cpu: self={own:5.1f}s workers={workers:5.1f}s "
        f"server={srv:4.1f}s peak_rss: self={rss:5.0f}MB workers={worker_rss:4.0f}MB"
    )


def baseline(port: int, count: int) -> str:
    """A plain sequential feedparser.parse(url, etag=...) loop over the same mix."""
    started = time.perf_counter()
    entries = 0
    for i in range(count):
        parsed = feedparser.parse(feed_url(i, port, "b"), etag=ETAG)
        entries += len(parsed.entries)
    wall = time.perf_counter() - started
    rate = count / wall
    return f"baseline  feeds={count:5d} entries={entries} wall={wall:6.2f}s feeds/s={rate:7.0f}"


async def measure(tmp: Path, port: int, server_pid: int) -> None:
    """Both analyzers, each over the mixed, the 304-only and the changed-only cycle."""
    for workers in (0, 2):
        service = Service(load_config(write_config(tmp, workers)))
        try:
            if workers == 0:
                prime_store(service, port)
            else:  # start the workers (spaCy imports) before measuring
                await asyncio.gather(*(service.analyzer.match([warm_up()]) for _ in range(4)))
            label = "in-process (thread)" if workers == 0 else f"{workers} worker processes"
            print(f"-- parse+match {label}")
            for which in ("all", "unchanged", "changed"):
                print(await cycle(service, which, server_pid), flush=True)
        finally:
            await service.aclose()


def main() -> None:
    print(f"load average before: {os.getloadavg()[0]:.2f} (other helpers share these 2 cores)")
    with tempfile.TemporaryDirectory() as tmp, server() as (port, server_pid):
        print(baseline(port, 1000) + "  (90% 304, 10% changed, parse only, no matching)")
        asyncio.run(measure(Path(tmp), port, server_pid))
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
