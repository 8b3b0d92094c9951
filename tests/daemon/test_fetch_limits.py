"""The global and per-host limits hold at all times, counted by the servers themselves."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

from daemon.config import load_config
from daemon.poll.dispatch import Dispatcher
from daemon.runtime.service import Service

HOSTS = ("127.0.0.1", "127.0.0.2", "127.0.0.3")
FEED = b"<rss version='2.0'><channel><title>t</title><item><guid>1</guid></item></channel></rss>"


class CountingServers:
    """One HTTP responder per loopback address; counts requests in flight, per host."""

    def __init__(self) -> None:
        self.active: Counter[str] = Counter()
        self.peak: Counter[str] = Counter()
        self.peak_total = 0
        self.served = 0
        self.servers: list[asyncio.Server] = []
        self.ports: dict[str, int] = {}

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        host = writer.get_extra_info("sockname")[0]
        try:
            while True:
                await reader.readuntil(b"\r\n\r\n")
                self.active[host] += 1
                self.peak[host] = max(self.peak[host], self.active[host])
                self.peak_total = max(self.peak_total, sum(self.active.values()))
                await asyncio.sleep(0.02)  # the server takes its time, so requests overlap
                self.active[host] -= 1
                self.served += 1
                head = f"HTTP/1.1 200 OK\r\ncontent-length: {len(FEED)}\r\n\r\n".encode()
                writer.write(head + FEED)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def start(self) -> None:
        for host in HOSTS:
            server = await asyncio.start_server(self.handle, host, 0)
            self.servers.append(server)
            self.ports[host] = server.sockets[0].getsockname()[1]

    def close(self) -> None:
        for s in self.servers:
            s.close()


def test_global_and_per_host_limits_hold(tmp_path: Path) -> None:
    async def go() -> tuple[CountingServers, int]:
        servers = CountingServers()
        await servers.start()
        feeds = "".join(
            f"  - url: http://{h}:{servers.ports[h]}/f{i}\n" for h in HOSTS for i in range(12)
        )
        cfg = tmp_path / "wirewatch.yaml"
        cfg.write_text(
            f"store: s.db\nfeeds:\n{feeds}poll:\n  concurrency: 5\n  per_host: 2\n  batch: 7\n",
            encoding="utf-8",
        )
        service = Service(load_config(cfg))
        try:
            reports = await service.poll_due()
        finally:
            await service.aclose()
            servers.close()
        return servers, len(reports)

    servers, polled = asyncio.run(go())
    assert polled == servers.served == 36
    assert max(servers.peak.values()) == 2  # per host: reached, never exceeded
    assert servers.peak_total <= 5
    assert servers.peak_total >= 3  # more than one host at a time


def test_dispatcher_takes_bounded_batches_and_lets_hosts_take_turns() -> None:
    batches = [[("a", i) for i in range(50)] + [("b", i) for i in range(5)], []]
    order: list[str] = []

    async def work(item: tuple[str, int]) -> str:
        order.append(item[0])
        await asyncio.sleep(0)
        return item[0]

    d: Dispatcher[tuple[str, int], str] = Dispatcher(work, lambda i: i[0], 4, 2)
    results = asyncio.run(d.run(lambda: batches.pop(0)))
    assert sorted(results) == ["a"] * 50 + ["b"] * 5
    assert "b" in order[:4]  # host b is not stuck behind host a's 50 feeds
    assert d.stats.peak_per_host == 2 and d.stats.peak_running == 4 and d.stats.batches == 2
