"""Running many polls at once within a global limit and a per-host limit.

Feeds are pulled from a source in bounded batches (never 10,000 tasks at
once): at most `concurrency` polls run, at most `per_host` of them against
one host, and hosts take turns so that one big host does not starve the
others. Pure asyncio; knows nothing of HTTP or the store.
"""

from __future__ import annotations

import asyncio
from collections import Counter, deque
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class DispatchStats:
    """What a dispatch saw: for logs, tests and benchmarks."""

    started: int = 0
    batches: int = 0
    peak_running: int = 0
    peak_per_host: int = 0
    peak_queued: int = 0


@dataclass
class Dispatcher(Generic[T, R]):
    """Run `work` on items from `next_batch` until it returns an empty batch."""

    work: Callable[[T], Coroutine[Any, Any, R]]
    host: Callable[[T], str]
    concurrency: int = 10
    per_host: int = 2
    max_queued: int = 2000
    stats: DispatchStats = field(default_factory=DispatchStats)

    async def run(self, next_batch: Callable[[], Sequence[T]]) -> list[R]:
        """Dispatch every item; the results in completion order."""
        waiting: dict[str, deque[T]] = {}
        active: Counter[str] = Counter()
        running: dict[asyncio.Task[R], str] = {}
        results: list[R] = []
        queued, exhausted = 0, False
        while True:
            startable = any(active[h] < self.per_host for h in waiting)
            wanted = queued < self.concurrency or not startable
            if not exhausted and wanted and queued < self.max_queued:
                batch = next_batch()
                self.stats.batches += 1
                exhausted = not batch
                for item in batch:
                    waiting.setdefault(self.host(item), deque()).append(item)
                queued += len(batch)
                self.stats.peak_queued = max(self.stats.peak_queued, queued)
            queued -= self._start(waiting, active, running)
            if not running:
                if exhausted and not waiting:
                    return results
                continue
            done, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                active[running.pop(task)] -= 1
                results.append(task.result())

    def _start(
        self,
        waiting: dict[str, deque[T]],
        active: Counter[str],
        running: dict[asyncio.Task[R], str],
    ) -> int:
        """Start what the limits allow, one per host per round; how many started."""
        started = 0
        progress = True
        while progress and len(running) < self.concurrency:
            progress = False
            for host in list(waiting):
                if len(running) >= self.concurrency:
                    break
                if active[host] >= self.per_host:
                    continue
                item = waiting[host].popleft()
                if not waiting[host]:
                    del waiting[host]
                active[host] += 1
                running[asyncio.create_task(self.work(item))] = host
                started += 1
                progress = True
                self.stats.peak_per_host = max(self.stats.peak_per_host, active[host])
        self.stats.started += started
        self.stats.peak_running = max(self.stats.peak_running, len(running))
        return started
