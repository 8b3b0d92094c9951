"""Alerts: delivery throughput to a loopback webhook, feed-to-webhook latency, SimHash cost.

1. alerts/s: the outbox worker (claim, sign, POST, record) sending N stored alerts to a
   loopback receiver, against a baseline of the same signed POSTs sent by a bare loop.
2. latency: a new item appears in a served feed; from the start of the poll that sees it
   to the webhook receiving its alert (p50, p95). Goal: p95 <= 1 s.
3. stories: SimHash fingerprint and lookup cost; near-duplicate vs unrelated distances,
   next to datasketch's MinHash when it is installed.
"""

from __future__ import annotations

import asyncio
import logging
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from daemon.alerts.channels import Alert
from daemon.alerts.channels.webhook import WebhookChannel, WebhookSettings
from daemon.alerts.stories import distance, fingerprint, nearest, shingles
from daemon.alerts.worker import deliver_due
from daemon.config import load_config
from daemon.runtime.loop import run_forever
from daemon.runtime.service import Service
from store import open_store
from tests.support.alerts import record
from tests.support.servers import RecordingServer, Reply, Request, Route, static_feed

ROOT = Path(__file__).resolve().parents[2]
SEED = (ROOT / "seeds" / "000_1f078e3ac375ad18.txt").read_text(encoding="utf-8")
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
N = 1000


def now() -> datetime:
    return datetime.now(UTC)


async def throughput(srv: RecordingServer, tmp: Path) -> None:
    store = open_store(tmp / "t.db")
    record(store, N, ["hook"], now=now() - timedelta(seconds=1))
    ch = WebhookChannel(
        "hook", WebhookSettings.model_validate({"url": f"{srv.url}/hook", "secret": SECRET})
    )
    alerts = [Alert.from_job(j) for j in store.outbox(limit=N)]
    started = time.perf_counter()
    sent = await deliver_due(store, {"hook": ch}, now)
    t_outbox = time.perf_counter() - started
    started = time.perf_counter()
    for a in alerts:  # baseline: the same signed POSTs, no claims and no bookkeeping
        await ch.send(a)
    t_bare = time.perf_counter() - started
    await ch.aclose()
    print(
        f"alerts/s to a loopback webhook: outbox {sent / t_outbox:.0f}/s ({sent} alerts), "
        f"bare POST loop {N / t_bare:.0f}/s, outbox/bare {t_bare / t_outbox:.2f}x"
    )


def rss(items: list[tuple[str, int]]) -> bytes:
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    body = "".join(
        f"<item><title>Bericht {g}</title><link>https://news.example.org/{g}</link>"
        f'<guid isPermaLink="false">{g}</guid>'
        f"<pubDate>{format_datetime(t0 + timedelta(minutes=m))}</pubDate>"
        f"<description><![CDATA[{text}]]></description></item>"
        for g, m, text in ((g, m, f"{SEED}\nMeldung {g}: {random.random()}") for g, m in items)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>b</title>'
        f"<language>de</language>{body}</channel></rss>"
    ).encode()


def served_at(body: bytes, etag: str, log: dict[str, float]) -> Route:
    """A feed route that notes when it first served this version."""
    inner = static_feed(body, etag)

    def route(req: Request) -> Reply:
        reply = inner(req)
        if reply.status == 200:
            log.setdefault(etag, time.perf_counter())
        return reply

    return route


async def latency(srv: RecordingServer, tmp: Path, rounds: int = 20) -> None:
    cfg = tmp / "wirewatch.yaml"
    cfg.write_text(
        f"""store: l.db
rules: [{ROOT / "rules" / "watches"}]
feeds: [{{url: "{srv.url}/feed.xml", interval: 1s, min_interval: 1s, max_interval: 1s}}]
channels: {{hook: {{type: webhook, url: "{srv.url}/hook", secret: {SECRET}}}}}
poll: {{tick: 250ms}}
stories: {{cooldown: 0s}}
escalation: {{enabled: false}}
http: null
""",
        encoding="utf-8",
    )
    items: list[tuple[str, int]] = []
    first_served: dict[str, float] = {}
    srv.routes["/feed.xml"] = static_feed(rss(items), '"0"')
    service = Service(load_config(cfg))
    await service.run_once()
    stop = asyncio.Event()
    loop = asyncio.create_task(run_forever(service, stop))
    appeared, after_poll = [], []
    for i in range(rounds):
        items.insert(0, (f"n{i}", i + 1))
        etag = f'"{i + 1}"'
        before = len([r for r in srv.requests if r.path == "/hook"])
        started = time.perf_counter()
        srv.routes["/feed.xml"] = served_at(rss(items[:20]), etag, first_served)

        def arrived(b: int = before) -> bool:
            with srv.received:
                return srv.received.wait_for(
                    lambda: len([r for r in srv.requests if r.path == "/hook"]) > b, 10
                )

        if not await asyncio.to_thread(arrived):
            raise RuntimeError(f"item {i} did not reach the webhook within 10 s")
        done = time.perf_counter()
        appeared.append(done - started)
        after_poll.append(done - first_served[etag])
    stop.set()
    await loop
    await service.aclose()
    for name, times in (
        ("after the poll that sees it", after_poll),
        ("after it appears (feed interval 1 s, tick 250 ms)", appeared),
    ):
        times.sort()
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        print(
            f"new feed item -> webhook, {name} ({rounds} items, daemon loop): "
            f"p50 {statistics.median(times) * 1e3:.0f} ms, p95 {p95 * 1e3:.0f} ms"
        )
    print("goal: p95 <= 1000 ms after the poll that sees it")


def stories() -> None:
    lines = SEED.splitlines()
    near = "\n".join(["MOSKAU (dpa) – Eilmeldung.", *lines[1:]])
    rng = random.Random(1)
    words = SEED.split()
    unrelated = [" ".join(rng.sample(words, len(words))) for _ in range(200)]
    started = time.perf_counter()
    fps = [fingerprint("t", u) for u in unrelated]
    per_fp = (time.perf_counter() - started) / len(unrelated)
    a, b = fingerprint("t", SEED), fingerprint("t", near)
    dists = sorted(distance(a, f) for f in fps)
    cands = [(i, rng.getrandbits(64)) for i in range(10_000)]
    started = time.perf_counter()
    nearest(cands, a, 12)
    per_lookup = time.perf_counter() - started
    print(
        f"SimHash: {per_fp * 1e3:.2f} ms per 3.5 KB article; lookup among 10,000 stories "
        f"{per_lookup * 1e3:.1f} ms; near-duplicate distance {distance(a, b)} bits, "
        f"same words shuffled: min {dists[0]} / median {dists[len(dists) // 2]} bits "
        "(threshold 12)"
    )
    try:
        from datasketch import MinHash
    except ImportError:
        print("MinHash comparison skipped: datasketch is not installed")
        return

    def minhash(text: str) -> MinHash:
        m = MinHash(num_perm=128)
        for sh in shingles("t", text):
            m.update(sh.encode())
        return m

    started = time.perf_counter()
    mhs = [minhash(u) for u in unrelated]
    per_mh = (time.perf_counter() - started) / len(unrelated)
    ma, mb = minhash(SEED), minhash(near)
    print(
        f"MinHash(128): {per_mh * 1e3:.2f} ms per article ({per_mh / per_fp:.2f}x SimHash); "
        f"near-duplicate Jaccard {ma.jaccard(mb):.2f}, shuffled max "
        f"{max(ma.jaccard(m) for m in mhs):.2f}; 1 int vs 128 ints stored per story"
    )


def main() -> None:
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    srv = RecordingServer().start()
    srv.routes["/hook"] = lambda req: Reply(204)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            asyncio.run(throughput(srv, Path(tmp)))
            asyncio.run(latency(srv, Path(tmp)))
    finally:
        srv.stop()
    stories()
