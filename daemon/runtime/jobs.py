"""The scheduled jobs: APScheduler (3.x, asyncio) runs them; each skips while it overruns.

The only module that imports APScheduler. One job looks for due feeds every
`poll.tick` (batch dispatch: the next poll of each feed lives in the store,
not in 10,000 scheduler jobs); another drains the outbox every second; others
refresh the numbers behind STATUS= and /metrics and apply retention. The jobs
reach the Service through a callable, so they use whichever one is in force.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from daemon.runtime.service import Service

log = logging.getLogger(__name__)

OVERRUN_NOTE_S = 60.0  # a job still running at its next tick is said at most this often
STATS_S = 30.0
RETENTION_S = 3600.0


class Jobs:
    """The daemon's jobs on one scheduler, and the runs of them under way."""

    def __init__(self, service: Callable[[], Service], refresh: Callable[[], None]) -> None:
        self.service = service
        self.refresh = refresh
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self.tasks: set[asyncio.Task[Any]] = set()
        # name -> (started at, ticks skipped since the last note, last note at)
        self._running: dict[str, list[float]] = {}

    # -- the scheduler --------------------------------------------------------

    def start(self) -> None:
        """Add the jobs, each due at once, and start the scheduler."""
        now = self.service().now()
        jobs: list[tuple[str, Callable[[], Awaitable[None]], float]] = [
            ("poll", self.poll, self.service().config.poll.tick),
            ("deliver", self.deliver, 1.0),
            ("stats", self._stats, STATS_S),
            ("retention", self.prune, RETENTION_S),
        ]
        for name, job, every_s in jobs:
            self.scheduler.add_job(
                self._tracked,
                "interval",
                args=[job],
                seconds=every_s,
                id=name,
                max_instances=2,  # the second returns at once while the first runs
                coalesce=True,
                next_run_time=now,
            )
        self.scheduler.start()

    def reschedule_poll(self, tick_s: float) -> None:
        """Look for due feeds every `tick_s` from now on."""
        self.scheduler.reschedule_job("poll", trigger="interval", seconds=tick_s)

    @property
    def is_running(self) -> bool:
        """Started and not shut down (a paused scheduler is still running)."""
        return bool(self.scheduler.running)

    def pause(self) -> None:
        """Start no more runs; the runs under way go on."""
        self.scheduler.pause()

    def shutdown(self) -> None:
        """Stop the scheduler without waiting for the runs under way."""
        self.scheduler.shutdown(wait=False)

    # -- the overrun guard ----------------------------------------------------

    async def _tracked(self, job: Callable[[], Awaitable[object]]) -> None:
        name = getattr(job, "__name__", str(job))
        if self._overran(name):
            return
        task = asyncio.current_task()
        assert task is not None
        self.tasks.add(task)
        self._running[name] = [time.monotonic(), 0, time.monotonic()]
        try:
            await job()
        except Exception:  # the job boundary: log, count, keep running
            log.exception("job crashed job=%s", name)
        finally:
            self.tasks.discard(task)
            self._running.pop(name, None)

    def _overran(self, name: str) -> bool:
        """True (skip this tick) while the job's last run goes on: a slow receiver keeps
        the delivery job busy for many ticks, and that is said once a minute, not per tick
        (APScheduler warned at every one)."""
        state = self._running.get(name)
        if state is None:
            return False
        started, skipped, noted = state
        now = time.monotonic()
        state[1] = skipped + 1
        if now - noted >= OVERRUN_NOTE_S:
            log.warning(
                "job still running job=%s running_s=%.0f ticks_skipped=%d",
                name,
                now - started,
                int(state[1]),
            )
            state[1], state[2] = 0, now
        return True

    # -- the jobs -------------------------------------------------------------

    async def poll(self) -> None:
        """Poll due feeds; refresh the numbers if anything was polled."""
        reports = await self.service().poll_due()
        if reports:
            self.refresh()

    async def deliver(self) -> None:
        """Drain what is due in the outbox."""
        if await self.service().deliver():
            self.refresh()

    async def prune(self) -> None:
        """Apply the retention policy, if there is one."""
        keep_s = self.service().config.retention.articles
        if keep_s is None:
            return
        before = self.service().now() - timedelta(seconds=keep_s)
        deleted = emptied = 0
        while True:  # in batches, yielding to the loop: the watchdog keeps beating
            batch = self.service().store.prune_articles(before)
            deleted, emptied = deleted + batch.deleted, emptied + batch.emptied
            if not (batch.deleted or batch.emptied):
                break
            await asyncio.sleep(0)
        if deleted or emptied:
            log.info("retention applied deleted=%d emptied=%d", deleted, emptied)
            self.refresh()

    async def _stats(self) -> None:
        self.refresh()
