"""The running daemon: config, rules, store and channels put together."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from daemon.alerts import ALERTERS, Channel
from daemon.config import Config
from daemon.deliver import deliver_due
from daemon.fetch import new_client
from daemon.pipeline import PollReport, poll_feed
from rules.engine import Engine
from rules.load import load_rules
from store import FeedState, Store

log = logging.getLogger(__name__)


def utcnow() -> datetime:
    """The current time, UTC-aware."""
    return datetime.now(UTC)


def build_channels(config: Config) -> dict[str, Channel]:
    """One channel object per configured channel."""
    return {name: ALERTERS[s.type](name, s) for name, s in config.channels.items()}


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
        self.rules = load_rules(config.rule_paths)
        self.engine = Engine(self.rules)
        self.store = Store.open(config.store)
        self.channels = build_channels(config)
        self.client = new_client(config.poll.timeout)
        self._feed_lang = {f.url: f.lang for f in config.feeds}
        self._limit = asyncio.Semaphore(config.poll.concurrency)
        self.on_poll: Callable[[PollReport, float], None] | None = None  # metrics hook
        self.store.sync_feeds(((f.url, int(f.interval)) for f in config.feeds), self.now())

    async def poll(self, feed: FeedState) -> PollReport:
        """Poll one feed within the concurrency limit; never raises."""
        started = time.monotonic()
        report = await self._poll(feed)
        if self.on_poll is not None:
            self.on_poll(report, time.monotonic() - started)
        return report

    async def _poll(self, feed: FeedState) -> PollReport:
        async with self._limit:
            try:
                return await poll_feed(
                    feed,
                    client=self.client,
                    store=self.store,
                    engine=self.engine,
                    channels=list(self.channels),
                    now=self.now,
                    lang=self._feed_lang.get(feed.url),
                )
            except Exception as e:  # the job boundary: one bad feed never stops the loop
                log.exception("poll crashed feed=%s", feed.url)
                return PollReport(feed.url, False, error=f"{type(e).__name__}: {e}")

    async def poll_due(self) -> list[PollReport]:
        """Poll every feed that is due."""
        configured = {f.url for f in self.config.feeds}
        due = [f for f in self.store.due_feeds(self.now()) if f.url in configured]
        return list(await asyncio.gather(*(self.poll(f) for f in due)))

    async def poll_all(self) -> list[PollReport]:
        """Poll every configured feed now, due or not."""
        feeds = [f for f in self.store.feeds() if f.url in {c.url for c in self.config.feeds}]
        return list(await asyncio.gather(*(self.poll(f) for f in feeds)))

    async def deliver(self) -> int:
        """Send what is due in the outbox."""
        try:
            return await deliver_due(self.store, self.channels, self.now)
        except Exception:
            log.exception("delivery run crashed")
            return 0

    async def run_once(self) -> list[PollReport]:
        """One poll of every feed, then deliver everything that is due now."""
        reports = await self.poll_all()
        while await self.deliver():
            pass
        return reports

    async def aclose(self) -> None:
        """Close network clients and the store."""
        await self.client.aclose()
        for ch in self.channels.values():
            await ch.aclose()
        self.store.close()
