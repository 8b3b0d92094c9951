"""sd_notify: tell systemd we are ready, alive, reloading or stopping.

The protocol is one datagram of `KEY=value` lines to the AF_UNIX socket named
by $NOTIFY_SOCKET (a path, or `@name` in the abstract namespace). Without
$NOTIFY_SOCKET every call is a no-op, so the daemon behaves the same outside
systemd. Stdlib only; imports nothing of ours.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Mapping

log = logging.getLogger(__name__)


def socket_address(value: str) -> str | None:
    """The address to send to: a path, or abstract (`@x` becomes NUL x); None if unusable."""
    if value.startswith("@"):
        return "\0" + value[1:]
    if value.startswith("/"):
        return value
    return None  # vsock and other transports are not for us


def monotonic_usec() -> int:
    """CLOCK_MONOTONIC in microseconds, as RELOADING=1 wants it (systemd >= 253)."""
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000


class Notifier:
    """Sends sd_notify messages; does nothing when not run by systemd."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        env = os.environ if env is None else env
        self.address = socket_address(env.get("NOTIFY_SOCKET", ""))
        self.watchdog_s = watchdog_interval_s(env)
        self._sock: socket.socket | None = None

    @property
    def is_enabled(self) -> bool:
        """True when a notify socket was given."""
        return self.address is not None

    def send(self, *lines: str) -> bool:
        """Send one datagram of `KEY=value` lines; never raises (systemd may be gone)."""
        if self.address is None:
            return False
        try:
            if self._sock is None:
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
            self._sock.sendto("\n".join(lines).encode(), self.address)
        except OSError as e:
            log.debug("sd_notify failed socket=%s error=%s", self.address.lstrip("\0"), e)
            return False
        return True

    def ready(self, status: str) -> bool:
        """Start-up is done: systemd considers the unit started."""
        return self.send("READY=1", f"STATUS={status}", f"MAINPID={os.getpid()}")

    def status(self, status: str) -> bool:
        """A one-line status for `systemctl status`."""
        return self.send(f"STATUS={status}")

    def watchdog(self) -> bool:
        """The event loop is alive."""
        return self.send("WATCHDOG=1")

    def reloading(self) -> bool:
        """A reload has begun; READY=1 ends it."""
        return self.send("RELOADING=1", f"MONOTONIC_USEC={monotonic_usec()}", "STATUS=reloading")

    def stopping(self) -> bool:
        """Shutdown has begun."""
        return self.send("STOPPING=1", "STATUS=stopping")

    def close(self) -> None:
        """Close the socket."""
        if self._sock is not None:
            self._sock.close()
            self._sock = None


def watchdog_interval_s(env: Mapping[str, str]) -> float | None:
    """How often to send WATCHDOG=1 (half of $WATCHDOG_USEC), or None when not asked to."""
    try:
        usec = int(env.get("WATCHDOG_USEC", ""))
    except ValueError:
        return None
    pid = env.get("WATCHDOG_PID")
    if usec <= 0 or (pid and pid != str(os.getpid())):
        return None
    return usec / 2 / 1_000_000
