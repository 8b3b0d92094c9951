"""The loop: APScheduler (3.x, asyncio) runs the poll and delivery jobs.

The only module that imports APScheduler. One job looks for due feeds every
`poll.tick` (batch dispatch: the next poll of each feed lives in the store,
not in 10,000 scheduler jobs); another drains the outbox every second.
"""

from __future__ import annotations

import asyncio
import logging
import signal

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from daemon.service import Service

log = logging.getLogger(__name__)


async def run_forever(service: Service, stop: asyncio.Event | None = None) -> None:
    """Run until SIGTERM/SIGINT (or `stop` is set); a second signal exits at once."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()

    def on_signal() -> None:
        if stop.is_set():
            raise SystemExit(1)
        log.info("stopping")
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, on_signal)
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(
        service.poll_due,
        "interval",
        seconds=service.config.poll.tick,
        id="poll",
        max_instances=1,
        coalesce=True,
        next_run_time=service.now(),
    )
    scheduler.add_job(
        service.deliver,
        "interval",
        seconds=1,
        id="deliver",
        max_instances=1,
        coalesce=True,
        next_run_time=service.now(),
    )
    scheduler.start()
    counts = service.store.counts()
    log.info(
        "running feeds=%d hits=%d pending=%d", counts["feeds"], counts["hits"], counts["pending"]
    )
    try:
        await stop.wait()
    finally:
        scheduler.shutdown(wait=False)
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
