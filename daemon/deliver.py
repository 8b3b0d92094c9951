"""The delivery worker: claims due deliveries from the outbox, sends, records."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from daemon.alerts import Alert, Channel
from daemon.errors import AlertError
from store import DeliveryJob, Store

log = logging.getLogger(__name__)

# Standard Webhooks' retry schedule: the delay before attempt n+1 after n failures.
RETRY_SCHEDULE = (
    timedelta(0),
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=14),
    timedelta(hours=20),
    timedelta(hours=24),
)


def retry_at(attempts: int, now: datetime, retry_after_s: float | None = None) -> datetime | None:
    """When to try again after `attempts` failed attempts, or None: give up."""
    if attempts >= len(RETRY_SCHEDULE):
        return None
    delay = RETRY_SCHEDULE[attempts]
    jitter = delay * random.uniform(0, 0.1)
    if retry_after_s is not None:
        delay = max(delay, timedelta(seconds=retry_after_s))
    return now + delay + jitter


async def deliver_due(
    store: Store,
    channels: Mapping[str, Channel],
    now: Callable[[], datetime],
    limit: int = 50,
) -> int:
    """Send every due delivery once; returns how many were sent."""
    sent = 0
    for job in store.claim_deliveries(now(), limit):
        if await deliver_one(store, channels, job, now):
            sent += 1
    return sent


async def deliver_one(
    store: Store, channels: Mapping[str, Channel], job: DeliveryJob, now: Callable[[], datetime]
) -> bool:
    """Send one claimed delivery and record the outcome."""
    channel = channels.get(job.channel)
    try:
        if channel is None:
            raise AlertError(job.channel, "channel is not configured")
        try:
            await channel.send(Alert.from_job(job))
        except AlertError:
            raise
        except Exception as e:  # a channel bug must not lose the alert: retry it
            log.exception("channel crashed id=%s channel=%s", job.id, job.channel)
            raise AlertError(job.channel, f"{type(e).__name__}: {e}") from e
    except AlertError as e:
        attempts = job.attempts + 1
        when = retry_at(attempts, now(), e.retry_after_s) if e.retry else None
        store.mark_failed(job.id, e.reason, when)
        if when is None:
            log.error("delivery dead id=%s channel=%s reason=%s", job.id, job.channel, e.reason)
        else:
            log.warning(
                "delivery failed id=%s channel=%s attempt=%d retry_at=%s reason=%s",
                job.id,
                job.channel,
                attempts,
                when.isoformat(),
                e.reason,
            )
        return False
    store.mark_sent(job.id, now())
    log.info("alert sent id=%s channel=%s watch=%s", job.id, job.channel, job.hit.watch_id)
    return True
