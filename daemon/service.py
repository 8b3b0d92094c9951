"""The running daemon: config, rules, store and channels put together."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from daemon.alerts import ALERTERS, Channel
from daemon.config import Config
from daemon.deliver import deliver_due
from daemon.fetch import new_client
from daemon.pipeline import PollReport, poll_feed
from daemon.stories import Stories
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
        self._backfill = {f.url: f.backfill for f in config.feeds}
        self._kicked: set[asyncio.Task[int]] = set()
        self.stories = Stories(
            self.store,
            config.channels,
            lambda: {w.spec.id: w.spec.cooldown for w in self.rules.watches},
            config.stories,
            config.escalation,
        )
        self._limit = asyncio.Semaphore(config.poll.concurrency)
        self.store.sync_feeds(((f.url, int(f.interval)) for f in config.feeds), self.now())

    async def poll(self, feed: FeedState) -> PollReport:
        """Poll one feed within the concurrency limit; never raises."""
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
                    stories=self.stories,
                    backfill=self._backfill.get(feed.url, 3),
                )
            except Exception as e:  # the job boundary: one bad feed never stops the loop
                log.exception("poll crashed feed=%s", feed.url)
                return PollReport(feed.url, False, error=f"{type(e).__name__}: {e}")

    async def poll_due(self) -> list[PollReport]:
        """Poll every feed that is due."""
        configured = {f.url for f in self.config.feeds}
        due = [f for f in self.store.due_feeds(self.now()) if f.url in configured]
        reports = list(await asyncio.gather(*(self.poll(f) for f in due)))
        if any(r.hits for r in reports):
            self.kick_delivery()
        return reports

    def kick_delivery(self) -> None:
        """Deliver new alerts now rather than on the delivery job's next tick."""
        task = asyncio.create_task(self.deliver())
        self._kicked.add(task)
        task.add_done_callback(self._kicked.discard)

    async def poll_all(self) -> list[PollReport]:
        """Poll every configured feed now, due or not."""
        feeds = [f for f in self.store.feeds() if f.url in {c.url for c in self.config.feeds}]
        return list(await asyncio.gather(*(self.poll(f) for f in feeds)))

    async def deliver(self) -> int:
        """Send what is due in the outbox."""
        try:
            return await deliver_due(
                self.store, self.channels, self.now, policy=self.config.delivery.policy()
            )
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
        await asyncio.gather(*self._kicked)
        await self.client.aclose()
        for ch in self.channels.values():
            await ch.aclose()
        self.store.close()
