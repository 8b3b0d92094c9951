"""The loop: APScheduler (3.x, asyncio) runs the jobs; signals drive the lifecycle.

The only module that imports APScheduler. One job looks for due feeds every
`poll.tick` (batch dispatch: the next poll of each feed lives in the store,
not in 10,000 scheduler jobs); another drains the outbox every second; others
refresh the numbers behind STATUS= and /metrics and apply retention.

Lifecycle (systemd's view): the Service is built (config, rules, migrated
database) before we get here; we start the scheduler and the HTTP endpoint,
then send READY=1. SIGHUP builds a whole new Service and swaps it in only if
that succeeds. SIGTERM stops scheduling, lets running jobs finish (up to
`grace_s`), hands back leased deliveries and returns; a second SIGTERM exits
at once.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from daemon.errors import DaemonError
from daemon.poll.pipeline import PollReport
from daemon.runtime.metrics import Heartbeat, Metrics, MetricsServer
from daemon.runtime.paths import cache_dir
from daemon.runtime.service import Service
from daemon.runtime.systemd import Notifier
from daemon.web.console import console_settings
from daemon.web.serve import Limits
from rules.errors import RuleFileErrors, RulesError
from store import StoreError
from store.codec import ts

log = logging.getLogger(__name__)

HEARTBEAT_S = 5.0  # without a systemd watchdog: how often the loop proves it is alive
STATS_S = 30.0
RETENTION_S = 3600.0


class Runner:
    """One daemon run: the current Service, its jobs, the endpoint and notifications."""

    def __init__(
        self,
        service: Service,
        *,
        reload: Callable[[], Service] | None,
        notifier: Notifier,
        grace_s: float,
    ) -> None:
        self.service = service
        self.build = reload
        self.notifier = notifier
        self.grace_s = grace_s
        self.metrics = Metrics()
        self.beat_s = notifier.watchdog_s or HEARTBEAT_S
        self.heartbeat = Heartbeat(stale_after_s=max(3 * self.beat_s, 30.0))
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self.jobs: set[asyncio.Task[Any]] = set()
        self.server: MetricsServer | None = None
        self._reloading: asyncio.Task[None] | None = None
        self.stopped = False
        self._hook(service)

    # -- jobs -----------------------------------------------------------------

    async def _tracked(self, job: Callable[[], Awaitable[object]]) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.jobs.add(task)
        try:
            await job()
        except Exception:  # the job boundary: log, count, keep running
            log.exception("job crashed job=%s", getattr(job, "__name__", job))
        finally:
            self.jobs.discard(task)

    async def poll(self) -> None:
        """Poll due feeds; refresh the numbers if anything was polled."""
        reports = await self.service.poll_due()
        if reports:
            self.refresh()

    async def deliver(self) -> None:
        """Drain what is due in the outbox."""
        if await self.service.deliver():
            self.refresh()

    async def prune(self) -> None:
        """Apply the retention policy, if there is one."""
        keep_s = self.service.config.retention.articles
        if keep_s is None:
            return
        before = self.service.now() - timedelta(seconds=keep_s)
        deleted = emptied = 0
        while True:  # in batches, yielding to the loop: the watchdog keeps beating
            batch = self.service.store.prune_articles(before)
            deleted, emptied = deleted + batch.deleted, emptied + batch.emptied
            if not (batch.deleted or batch.emptied):
                break
            await asyncio.sleep(0)
        if deleted or emptied:
            log.info("retention applied deleted=%d emptied=%d", deleted, emptied)
            self.refresh()

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

    def _schedule(self) -> None:
        now = self.service.now()
        jobs: list[tuple[str, Callable[[], Awaitable[None]], float]] = [
            ("poll", self.poll, self.service.config.poll.tick),
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
                max_instances=1,
                coalesce=True,
                next_run_time=now,
            )

    async def _stats(self) -> None:
        self.refresh()

    # -- heartbeat ------------------------------------------------------------

    async def beat(self) -> None:
        """Runs on the event loop: a stuck loop stops the pings and systemd restarts us."""
        while True:
            self.heartbeat.beat()
            if self.notifier.watchdog_s:
                self.notifier.watchdog()
            await asyncio.sleep(self.beat_s)

    def health(self) -> str | None:
        """None when the loop and scheduler are alive and the database writable (any thread)."""
        if self.stopped or not self.scheduler.running:
            return "scheduler not running"
        return self.heartbeat.problem() or self.service.store.probe_writable()

    # -- reload ---------------------------------------------------------------

    def request_reload(self) -> None:
        """SIGHUP: reload unless a reload is already running."""
        if self.build is None:
            log.warning("reload not supported in this mode")
            return
        if self._reloading and not self._reloading.done():
            log.info("reload already in progress")
            return
        self._reloading = asyncio.create_task(self.reload())

    async def reload(self) -> None:
        """Build a new Service from the files; swap it in only if all of it is valid."""
        assert self.build is not None
        self.notifier.reloading()
        log.info("reloading config and rules")
        try:
            new = await asyncio.to_thread(self.build)
        except (RuleFileErrors, RulesError, StoreError, DaemonError) as e:
            self.metrics.reloads.labels("rejected").inc()
            errors = e.errors if isinstance(e, RuleFileErrors) else [e]
            for err in errors:
                log.error("reload rejected, keeping the running config: %s", err)
            self.notifier.ready(self.status_line())
            return
        except Exception:
            self.metrics.reloads.labels("rejected").inc()
            log.exception("reload crashed, keeping the running config")
            self.notifier.ready(self.status_line())
            return
        old, in_flight = self.service, set(self.jobs)
        self._swap(old, new)
        self.metrics.reloads.labels("ok").inc()
        log.info(
            "reloaded feeds=%d watches=%d channels=%d",
            len(new.config.feeds),
            len(new.rules.watches),
            len(new.channels),
        )
        self.refresh()
        self.notifier.ready(self.status_line())
        if in_flight:  # jobs that started on the old service finish with it
            await asyncio.wait(in_flight)
        await old.aclose()

    def _swap(self, old: Service, new: Service) -> None:
        self.service = new
        self._hook(new)
        if new.config.poll.tick != old.config.poll.tick:
            self.scheduler.reschedule_job("poll", trigger="interval", seconds=new.config.poll.tick)
        if new.config.http != old.config.http:
            log.warning("http settings changed; restart to apply them")

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
        self._schedule()
        self.scheduler.start()
        if self.server:
            self.server.start()
        self.refresh()
        log.info("running %s", self.status_line())
        self.notifier.ready(self.status_line())

    async def stop(self) -> None:
        """Stop scheduling, let running jobs finish (up to grace_s), hand back claims."""
        self.notifier.stopping()
        self.stopped = True
        # pause, not shutdown: APScheduler's asyncio executor cancels running jobs
        # on shutdown, and they deserve their grace period first.
        self.scheduler.pause()
        running = set(self.jobs) | self.service.background_tasks()
        if self._reloading and not self._reloading.done():
            running.add(self._reloading)
        if running:
            log.info("waiting for running jobs jobs=%d grace_s=%.0f", len(running), self.grace_s)
            _, pending = await asyncio.wait(running, timeout=self.grace_s)
            for task in pending:
                task.cancel()
            if pending:
                log.warning("cancelled jobs that outlived the grace period jobs=%d", len(pending))
                await asyncio.wait(pending)
        self.scheduler.shutdown(wait=False)
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
) -> Service:
    """Run until SIGTERM/SIGINT (or `stop` is set); returns the Service in use at the end.

    SIGHUP calls `reload` for a new Service. A second SIGTERM/SIGINT exits at once.
    """
    stop = stop or asyncio.Event()
    notifier = notifier or Notifier()
    runner = Runner(service, reload=reload, notifier=notifier, grace_s=grace_s)
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
    loop.add_signal_handler(signal.SIGHUP, runner.request_reload)
    beat = asyncio.create_task(runner.beat())
    try:
        runner.start()
        await stop.wait()
        started = time.monotonic()
        await runner.stop()
        log.info("stopped after_s=%.1f", time.monotonic() - started)
    finally:
        beat.cancel()
        if not runner.stopped and runner.scheduler.running:
            runner.scheduler.shutdown(wait=False)
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            loop.remove_signal_handler(sig)
        notifier.close()
    return runner.service
