"""The delivery worker: claims due deliveries from the outbox, sends, records.

Ordering rule: per channel, deliveries go out in creation order. When one
fails, the rest of that channel's claimed deliveries are released untried and
wait (the store's claim also holds them back) until the failed one is sent or
dead. Digest deliveries are outside this rule: they go out together at their
slot. Channels are served concurrently; one slow channel does not delay others.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from daemon.alerts.channels import Alert, Channel
from daemon.alerts.channels.base import DestinationGoneError
from daemon.errors import AlertError
from rules.duration import parse_duration
from store import DeliveryJob, StoreAPI

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


@dataclass(frozen=True, slots=True)
class Policy:
    """How the worker claims and retries (config `delivery:`)."""

    schedule: tuple[timedelta, ...] = RETRY_SCHEDULE
    lease: timedelta = timedelta(minutes=2)
    batch: int = 50
    rounds: int = 100  # claims per run, so one run drains a burst but always ends
    jitter: Callable[[], float] = field(default=lambda: random.uniform(0, 0.1))


def retry_at(
    attempts: int,
    now: datetime,
    retry_after_s: float | None = None,
    policy: Policy | None = None,
) -> datetime | None:
    """When to try again after `attempts` failed attempts, or None: give up."""
    policy = policy or Policy()
    if attempts >= len(policy.schedule):
        return None
    delay = policy.schedule[attempts]
    delay += delay * policy.jitter()
    if retry_after_s is not None:
        delay = max(delay, timedelta(seconds=retry_after_s))
    return now + delay


async def deliver_due(
    store: StoreAPI,
    channels: Mapping[str, Channel],
    now: Callable[[], datetime],
    limit: int | None = None,
    *,
    policy: Policy | None = None,
) -> int:
    """Send every due delivery (claiming until none is left); returns how many were sent."""
    policy = policy or Policy()
    sent = 0
    for _ in range(policy.rounds):
        jobs = store.claim_due(now(), limit or policy.batch, policy.lease)
        if not jobs:
            break
        by_channel: dict[str, list[DeliveryJob]] = {}
        for job in jobs:
            by_channel.setdefault(job.channel, []).append(job)
        done = await asyncio.gather(
            *(
                deliver_channel(store, channels.get(name), name, js, now, policy)
                for name, js in by_channel.items()
            )
        )
        sent += sum(done)
    return sent


def units(jobs: Sequence[DeliveryJob], max_batch: int) -> list[list[DeliveryJob]]:
    """Claimed jobs of one channel as messages: the digest together, bursts of alerts folded."""
    digest = [j for j in jobs if j.digest]
    out: list[list[DeliveryJob]] = [digest] if digest else []
    for job in (j for j in jobs if not j.digest):
        last = out[-1] if out else None
        foldable = job.kind == "alert" and max_batch > 1
        if (
            foldable
            and last
            and not last[0].digest
            and last[-1].kind == "alert"
            and len(last) < max_batch
        ):
            last.append(job)
        else:
            out.append([job])
    return out


async def deliver_channel(
    store: StoreAPI,
    channel: Channel | None,
    name: str,
    jobs: Sequence[DeliveryJob],
    now: Callable[[], datetime],
    policy: Policy,
) -> int:
    """Send one channel's claimed jobs in order; stop at the first failure."""
    sent = 0
    plan = units(jobs, channel.max_batch if channel else 1)
    for i, unit in enumerate(plan):
        try:
            ref = await _send(channel, name, unit)
        except AlertError as e:
            _failed(store, name, unit, e, now, policy)
            rest = [j.id for u in plan[i + 1 :] for j in u]
            store.release(rest)
            return sent
        store.mark_sent_many([j.id for j in unit], now(), ref)
        sent += len(unit)
        for j in unit:
            log.info("alert sent id=%s channel=%s watch=%s", j.id, name, j.hit.watch_id)
    return sent


async def _send(channel: Channel | None, name: str, unit: list[DeliveryJob]) -> str | None:
    if channel is None:
        raise AlertError(name, "channel is not configured")
    alerts = [Alert.from_job(j) for j in unit]
    try:
        if len(alerts) == 1 and not unit[0].digest:
            return await channel.send(alerts[0])
        return await channel.send_batch(alerts, digest=unit[0].digest)
    except AlertError:
        raise
    except Exception as e:  # a channel bug must not lose the alert: retry it
        log.exception("channel crashed ids=%s channel=%s", [j.id for j in unit], name)
        raise AlertError(name, f"{type(e).__name__}: {e}") from e


def _failed(
    store: StoreAPI,
    name: str,
    unit: list[DeliveryJob],
    e: AlertError,
    now: Callable[[], datetime],
    policy: Policy,
) -> None:
    if isinstance(e, DestinationGoneError):
        store.disable_destination(name, e.reason, now())
        log.error(
            "destination disabled channel=%s reason=%s: fix it, then run "
            "`wirewatch deliveries retry --all`",
            name,
            e.reason,
        )
    # One retry time for the whole unit, so a digest or folded burst stays one message.
    attempts = max(j.attempts for j in unit) + 1
    when = retry_at(attempts, now(), e.retry_after_s, policy) if e.retry else None
    for job in unit:
        store.mark_failed(job.id, e.reason, when)
        if when is None:
            log.error("delivery dead id=%s channel=%s reason=%s", job.id, name, e.reason)
        else:
            log.warning(
                "delivery failed id=%s channel=%s attempt=%d retry_at=%s reason=%s",
                job.id,
                name,
                job.attempts + 1,
                when.isoformat(),
                e.reason,
            )


class DeliveryConfig(BaseModel):
    """The `delivery:` section of wirewatch.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    retry_schedule: list[Annotated[float, BeforeValidator(parse_duration)]] = Field(
        default_factory=lambda: [d.total_seconds() for d in RETRY_SCHEDULE],
        min_length=1,
        description="Delay before each attempt (the first is usually 0); then a dead letter",
    )
    lease: Annotated[float, BeforeValidator(parse_duration)] = Field(
        120.0, gt=0, description="How long a claimed delivery is reserved for one worker"
    )
    batch: int = Field(50, ge=1, description="Deliveries claimed at once")

    def policy(self) -> Policy:
        """The worker's policy from these settings."""
        return Policy(
            schedule=tuple(timedelta(seconds=s) for s in self.retry_schedule),
            lease=timedelta(seconds=self.lease),
            batch=self.batch,
        )
