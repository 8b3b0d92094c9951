"""The lifecycle of a daemon run: start, heartbeat, health, the numbers, stop; signals.

The Service is built (config, rules, migrated database) before we get here;
we start the jobs (jobs.py, on APScheduler) and the HTTP endpoint, then send
READY=1. SIGHUP hands over to the Reloader (reloader.py), which swaps a new
Service in through `Runner.swap`. SIGTERM stops scheduling, lets running jobs
finish (up to `grace_s`), hands back leased deliveries and returns; a second
SIGTERM exits at once.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from daemon.poll.pipeline import PollReport
from daemon.runtime.jobs import Jobs
from daemon.runtime.metrics import Heartbeat, Metrics, MetricsServer
from daemon.runtime.paths import cache_dir
from daemon.runtime.reloader import Reloader
from daemon.runtime.service import Service
from daemon.runtime.systemd import Notifier
from daemon.web.console import console_settings
from daemon.web.serve import Limits
from store.codec import ts

log = logging.getLogger(__name__)

HEARTBEAT_S = 5.0  # without a systemd watchdog: how often the loop proves it is alive


class Runner:
    """One daemon run: the Service in force, its jobs and reloads, endpoint and notifications."""

    def __init__(
        self,
        service: Service,
        *,
        reload: Callable[[], Service] | None,
        notifier: Notifier,
        grace_s: float,
        reload_state: Path | None = None,
    ) -> None:
        self.service = service
        self.notifier = notifier
        self.grace_s = grace_s
        self.metrics = Metrics()
        self.beat_s = notifier.watchdog_s or HEARTBEAT_S
        self.heartbeat = Heartbeat(stale_after_s=max(3 * self.beat_s, 30.0))
        self.jobs = Jobs(lambda: self.service, self.refresh)
        self.reloader = Reloader(
            reload, host=self, notifier=notifier, metrics=self.metrics, state_path=reload_state
        )
        self.server: MetricsServer | None = None
        self.stopped = False
        self._hook(service)

    # -- the numbers ----------------------------------------------------------

    def refresh(self) -> None:
        """Publish store numbers to /metrics and to systemd's STATUS=."""
        store = self.service.store
        stats = store.stats()
        self.metrics.store.snapshot = stats
        self.metrics.sent_watermark, sent = store.sent_since(self.metrics.sent_watermark)
        self.metrics.observe_sent(sent)
        self.notifier.status(self.status_line())

    def status_line(self) -> str:
        """feeds, failing feeds, hits and pending deliveries, for `systemctl status`."""
        s = self.metrics.store.snapshot
        failing = sum(n for (status, _), n in s.feeds.items() if status == "failing")
        return f"feeds={sum(s.feeds.values())} failing={failing} hits={s.hits} pending={s.pending}"

    def _hook(self, service: Service) -> None:
        def observe(report: PollReport, seconds: float) -> None:
            feed = None if report.ok else service.store.feed(report.url)
            self.metrics.observe_poll(report, seconds, feed.error_class if feed else None)

        service.on_poll = observe

    # -- heartbeat and health -------------------------------------------------

    async def beat(self) -> None:
        """Runs on the event loop: a stuck loop stops the pings and systemd restarts us."""
        while True:
            self.heartbeat.beat()
            if self.notifier.watchdog_s:
                self.notifier.watchdog()
            await asyncio.sleep(self.beat_s)

    def health(self) -> str | None:
        """None when the loop and scheduler are alive and the database writable (any thread)."""
        if self.stopped or not self.jobs.is_running:
            return "scheduler not running"
        return (
            self.heartbeat.problem()
            or self.service.write_failure
            or self.service.store.probe_writable()
        )

    # -- a reload's swap ------------------------------------------------------

    def swap(self, new: Service) -> set[asyncio.Task[Any]]:
        """Put `new` in force; return the jobs still running on the old Service."""
        old, in_flight = self.service, set(self.jobs.tasks)
        self.service = new
        self._hook(new)
        if new.config.poll.tick != old.config.poll.tick:
            self.jobs.reschedule_poll(new.config.poll.tick)
        if new.config.http != old.config.http:
            log.warning("http settings changed; restart to apply them")
        return in_flight

    # -- start and stop -------------------------------------------------------

    def start(self) -> None:
        """Scheduler, endpoint, then READY=1: failures happen before READY."""
        http = self.service.config.http
        if http is not None:
            self.server = MetricsServer(
                http.listen,
                self.metrics,
                self.health,
                console_settings(self.service.config, lambda: self.service, cache_dir()),
                Limits(http.max_connections, http.header_timeout),
            )
        # Latency is observed for what is sent from now on, not replayed from history.
        self.metrics.sent_watermark = ts(self.service.now()) or ""
        self.jobs.start()
        if self.server:
            self.server.start()
        self.refresh()
        self.reloader.publish("ok")
        log.info("running %s", self.status_line())
        self.notifier.ready(self.status_line())

    async def stop(self) -> None:
        """Stop scheduling, let running jobs finish (up to grace_s), hand back claims."""
        self.notifier.stopping()
        self.stopped = True
        # pause, not shutdown: APScheduler's asyncio executor cancels running jobs
        # on shutdown, and they deserve their grace period first.
        self.jobs.pause()
        running = set(self.jobs.tasks) | self.service.background_tasks()
        reloading = self.reloader.running()
        if reloading:
            running.add(reloading)
        if running:
            log.info("waiting for running jobs jobs=%d grace_s=%.0f", len(running), self.grace_s)
            _, pending = await asyncio.wait(running, timeout=self.grace_s)
            for task in pending:
                task.cancel()
            if pending:
                log.warning("cancelled jobs that outlived the grace period jobs=%d", len(pending))
                await asyncio.wait(pending)
        self.jobs.shutdown()
        store = self.service.store
        released = store.release_claims(self.service.now())
        if released:
            log.info("released claimed deliveries count=%d", released)
        if store.release_feeds(store.owner):
            log.info("released leased feeds")
        if self.server:
            self.server.stop()


async def run_forever(
    service: Service,
    stop: asyncio.Event | None = None,
    *,
    reload: Callable[[], Service] | None = None,
    notifier: Notifier | None = None,
    grace_s: float = 20.0,
    reload_state: Path | None = None,
) -> Service:
    """Run until SIGTERM/SIGINT (or `stop` is set); returns the Service in use at the end.

    SIGHUP calls `reload` for a new Service; each outcome goes to `reload_state`.
    A second SIGTERM/SIGINT exits at once.
    """
    stop = stop or asyncio.Event()
    notifier = notifier or Notifier()
    runner = Runner(
        service, reload=reload, notifier=notifier, grace_s=grace_s, reload_state=reload_state
    )
    loop = asyncio.get_running_loop()

    def on_stop_signal() -> None:
        if stop.is_set():
            log.warning("second stop signal: exiting now")
            logging.shutdown()
            os._exit(1)
        log.info("stopping")
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, on_stop_signal)
    loop.add_signal_handler(signal.SIGHUP, runner.reloader.request)
    beat = asyncio.create_task(runner.beat())
    try:
        runner.start()
        await stop.wait()
        started = time.monotonic()
        await runner.stop()
        log.info("stopped after_s=%.1f", time.monotonic() - started)
    finally:
        beat.cancel()
        if not runner.stopped and runner.jobs.is_running:
            runner.jobs.shutdown()
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            loop.remove_signal_handler(sig)
        notifier.close()
    return runner.service
