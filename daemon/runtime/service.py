"""The running daemon: config, rules, store and channels put together."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from daemon.alerts.channels import ALERTERS, Channel
from daemon.alerts.stories import Stories
from daemon.alerts.worker import deliver_due
from daemon.config import Config, FeedConfig
from daemon.poll.analyze import Analyzer, ProcessAnalyzer, ThreadAnalyzer
from daemon.poll.cadence import Bounds
from daemon.poll.dispatch import Dispatcher
from daemon.poll.fetch import new_client
from daemon.poll.health import HealthPolicy
from daemon.poll.pipeline import FeedSettings, Poller, PollReport, poll_feed, record_crash
from daemon.runtime.paths import cache_dir
from rules.engine import Engine
from rules.load import load_rules
from store import FeedState, Lease, StoreAPI, is_database_error, is_postgres, open_store

log = logging.getLogger(__name__)


def utcnow() -> datetime:
    """The current time, UTC-aware."""
    return datetime.now(UTC)


def build_channels(config: Config) -> dict[str, Channel]:
    """One channel object per configured channel."""
    return {name: ALERTERS[s.type](name, s) for name, s in config.channels.items()}


def feed_settings(f: FeedConfig) -> FeedSettings:
    """The per-feed settings of a configured feed."""
    bounds = Bounds(f.interval, f.min_interval, f.max_interval)
    return FeedSettings(f.lang, bounds, f.full_text, f.backfill)


def host_of(feed: FeedState) -> str:
    """The host a feed is fetched from (the politeness key)."""
    try:
        return urlsplit(feed.fetch_url).hostname or ""
    except ValueError:  # a malformed URL: its poll fails and is recorded, not the cycle
        return ""


class Service:
    """Everything a poll or a delivery needs; built once, reloadable later."""

    def __init__(
        self,
        config: Config,
        *,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.config = config
        self.now = now
        cache = cache_dir()
        self.rules = load_rules(config.rule_paths, cache_dir=cache)
        self.engine = Engine(self.rules, cache_dir=cache)
        self.store: StoreAPI = open_store(config.store)
        self.channels = build_channels(config)
        limits = config.poll.fetch_limits()
        self.client = new_client(limits, max_connections=config.poll.concurrency)
        self.analyzer: Analyzer = (
            ProcessAnalyzer(config.rule_paths, config.poll.workers)
            if config.poll.workers
            else ThreadAnalyzer(self.engine)
        )
        self._kicked: set[asyncio.Task[int]] = set()
        self.stories = Stories(
            self.store,
            config.channels,
            lambda: {w.spec.id: w.spec.cooldown for w in self.rules.watches},
            config.stories,
            config.escalation,
        )
        self.poller = Poller(
            self.client,
            self.store,
            self.analyzer,
            tuple(self.channels),
            now,
            limits,
            HealthPolicy(
                config.health.channel, config.health.failing_after, config.health.silent_factor
            ),
            self.stories,
        )
        self._settings = {f.url: feed_settings(f) for f in config.feeds}
        self.on_poll: Callable[[PollReport, float], None] | None = None  # metrics hook
        # The last store write that failed (disk full, read-only, lost connection), until
        # a later write succeeds: /healthz reports it.
        self.write_failure: str | None = None
        self.store.sync_feeds(((f.url, int(f.interval)) for f in config.feeds), self.now())

    async def poll(self, feed: FeedState) -> PollReport:
        """Poll one feed; never raises. Reports its time to `on_poll` (metrics)."""
        started = time.monotonic()
        report = await self._poll(feed)
        if self.on_poll is not None:
            self.on_poll(report, time.monotonic() - started)
        return report

    async def _poll(self, feed: FeedState) -> PollReport:
        settings = self._settings.get(feed.url) or FeedSettings()
        try:
            report = await poll_feed(feed, settings, self.poller)
            self.write_failure = None  # the poll's outcome was written
            return report
        except Exception as e:  # the job boundary: one bad feed never stops the loop
            self.note_failure(e)
            log.exception("poll crashed feed=%s", feed.url)
            record_crash(feed, settings.bounds, self.poller, e)
            return PollReport(feed.url, False, error=f"{type(e).__name__}: {e}")

    def dispatcher(self) -> Dispatcher[FeedState, PollReport]:
        """A dispatcher holding the global and per-host limits of the config."""
        poll = self.config.poll
        return Dispatcher(
            self.poll, host_of, poll.concurrency, poll.per_host, max_queued=4 * self.batch()
        )

    def batch(self) -> int:
        """Due feeds taken at a time. Leased (several daemons): only what starts soon, so
        that no lease runs out while its feed waits in this daemon's queue."""
        poll = self.config.poll
        return min(poll.batch, poll.concurrency) if self.lease() else poll.batch

    async def poll_due(self) -> list[PollReport]:
        """Poll every feed that is due, taking them from the store in batches."""
        cycle_at = self.now()
        started = time.monotonic()
        cursor: list[FeedState] = []

        def next_batch() -> list[FeedState]:
            batch = self.store.due_feeds(
                cycle_at, self.batch(), cursor[-1] if cursor else None, self.lease()
            )
            cursor[:] = batch[-1:]
            return batch

        reports = await self.dispatcher().run(next_batch)
        if reports:
            failed = sum(not r.ok for r in reports)
            log.info(
                "poll cycle feeds=%d failed=%d elapsed_s=%.3f",
                len(reports),
                failed,
                time.monotonic() - started,
            )
        if any(r.hits for r in reports):
            self.kick_delivery()
        return reports

    def lease(self) -> Lease | None:
        """Several daemons on one database take due feeds under a lease; SQLite: one daemon."""
        if not is_postgres(self.store.path):
            return None
        return Lease(self.store.owner, self.now() + timedelta(seconds=self.config.poll.lease))

    def background_tasks(self) -> set[asyncio.Task[int]]:
        """Deliveries started outside the scheduler's jobs (see kick_delivery)."""
        return {t for t in self._kicked if not t.done()}

    def kick_delivery(self) -> None:
        """Deliver new alerts now rather than on the delivery job's next tick."""
        task = asyncio.create_task(self.deliver())
        self._kicked.add(task)
        task.add_done_callback(self._kicked.discard)

    async def poll_all(self) -> list[PollReport]:
        """Poll every active feed now, due or not."""
        feeds = self.store.feeds(active=True)
        size = self.config.poll.batch
        batches = iter([feeds[i : i + size] for i in range(0, len(feeds), size)] + [[]])
        return await self.dispatcher().run(lambda: next(batches))

    async def deliver(self) -> int:
        """Send what is due in the outbox."""
        try:
            return await deliver_due(
                self.store, self.channels, self.now, policy=self.config.delivery.policy()
            )
        except Exception as e:
            self.note_failure(e)
            log.exception("delivery run crashed")
            return 0

    def note_failure(self, error: Exception) -> None:
        """Remember a failed store write for /healthz (other crashes are only logged)."""
        if is_database_error(error):
            self.write_failure = f"store write failed at {self.now():%Y-%m-%dT%H:%M:%SZ}: {error}"

    async def run_once(self) -> list[PollReport]:
        """One poll of every feed, then deliver everything that is due now."""
        reports = await self.poll_all()
        while await self.deliver():
            pass
        return reports

    async def aclose(self) -> None:
        """Close network clients and the store.

        Deliveries still in flight are cancelled: the outbox keeps them pending.
        """
        for task in self._kicked:
            task.cancel()
        await asyncio.gather(*self._kicked, return_exceptions=True)
        await self.client.aclose()
        self.analyzer.close()
        for ch in self.channels.values():
            await ch.aclose()
        self.store.close()
