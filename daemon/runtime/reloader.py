"""SIGHUP: build a whole new Service off the loop and swap it in only if that succeeds.

Each reload is bracketed for systemd (RELOADING=1, then READY=1 with the new
STATUS=) and its outcome written to `reload_state` (see reloads.py, kept
stdlib-only for `wirewatch reload`) after READY=1 said it ended. A SIGHUP
during a reload queues one more. The old Service closes once the jobs that
started on it have finished. The Runner is the Host a reload works on.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Protocol

from daemon.errors import DaemonError
from daemon.runtime.metrics import Metrics
from daemon.runtime.reloads import ReloadState, write_state
from daemon.runtime.service import Service
from daemon.runtime.systemd import Notifier
from rules.errors import RuleFileErrors, RulesError
from store import StoreError

log = logging.getLogger(__name__)


class Host(Protocol):
    """What a reload reads and changes in the running daemon."""

    @property
    def service(self) -> Service: ...

    @property
    def stopped(self) -> bool: ...

    def swap(self, new: Service) -> set[asyncio.Task[Any]]:
        """Put `new` in force; return the jobs still running on the old Service."""
        ...

    def refresh(self) -> None:
        """Publish the numbers of the Service in force."""
        ...

    def status_line(self) -> str:
        """The STATUS= text."""
        ...


class Reloader:
    """The reloads of one daemon run, one at a time, counted in `generation`."""

    def __init__(
        self,
        build: Callable[[], Service] | None,
        *,
        host: Host,
        notifier: Notifier,
        metrics: Metrics,
        state_path: Path | None,
    ) -> None:
        self.build = build
        self.host = host
        self.notifier = notifier
        self.metrics = metrics
        self.state_path = state_path
        self.generation = 0
        self._again = False
        self._task: asyncio.Task[None] | None = None

    def request(self) -> None:
        """SIGHUP: reload unless a reload is already running."""
        if self.build is None:
            log.warning("reload not supported in this mode")
            return
        if self._task and not self._task.done():
            # The running reload may have read the files before they changed: one more.
            log.info("reload already in progress; another follows it")
            self._again = True
            return
        self._task = asyncio.create_task(self.reload())

    def running(self) -> asyncio.Task[None] | None:
        """The reload under way, if any."""
        return self._task if self._task and not self._task.done() else None

    async def reload(self) -> None:
        """Build a new Service from the files; swap it in only if all of it is valid."""
        while True:
            self._again = False
            old = await self._reload_once()
            if old is not None:
                await old
            if not self._again or self.host.stopped:
                return

    async def _reload_once(self) -> Awaitable[None] | None:
        """One reload; returns the closing of the old Service, if one was replaced."""
        assert self.build is not None
        self.notifier.reloading()
        self.publish("reloading")
        log.info("reloading config and rules")
        try:
            new = await asyncio.to_thread(self.build)
        except (RuleFileErrors, RulesError, StoreError, DaemonError) as e:
            errors = [str(err) for err in (e.errors if isinstance(e, RuleFileErrors) else [e])]
            for err in errors:
                log.error("reload rejected, keeping the running config: %s", err)
            self._rejected(errors)
            return None
        except Exception as e:
            log.exception("reload crashed, keeping the running config")
            self._rejected([f"{type(e).__name__}: {e}"])
            return None
        old = self.host.service
        in_flight = self.host.swap(new)
        self.metrics.reloads.labels("ok").inc()
        log.info(
            "reloaded feeds=%d watches=%d channels=%d",
            len(new.config.feeds),
            len(new.rules.watches),
            len(new.channels),
        )
        self.host.refresh()
        self.generation += 1
        # READY=1 first: systemd has the new STATUS= when `wirewatch reload` sees the file.
        self.notifier.ready(self.host.status_line())
        self.publish("ok")
        return self._retire(old, in_flight)

    def _rejected(self, errors: list[str]) -> None:
        self.metrics.reloads.labels("rejected").inc()
        self.generation += 1
        self.notifier.ready(self.host.status_line())
        self.publish("rejected", errors)

    async def _retire(self, old: Service, in_flight: set[asyncio.Task[Any]]) -> None:
        if in_flight:  # jobs that started on the old service finish with it
            await asyncio.wait(in_flight)
        await old.aclose()

    def publish(self, state: str, errors: list[str] | None = None) -> None:
        """Tell `wirewatch reload` (waiting on the file) where reloads stand."""
        write_state(
            self.state_path,
            ReloadState(os.getpid(), self.generation, state, tuple(errors or ())),
        )
