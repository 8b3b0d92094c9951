"""Serving an ASGI app with uvicorn on a socket we bound, in a thread of its own.

Its own thread and event loop: console traffic never runs on the daemon's loop,
so it cannot stall polling or delivery (and /healthz still answers when the
daemon's loop is stuck). Connections are capped and timed: a connection that has
not sent a whole request within `header_timeout_s` is closed (slowloris), idle
keep-alive connections after `keep_alive_s`, and beyond `max_connections` new
connections are closed at once.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger(__name__)


class Limits:
    """Connection limits of the listener."""

    def __init__(
        self, max_connections: int = 200, header_timeout_s: float = 10.0, keep_alive_s: int = 5
    ) -> None:
        self.max_connections = max_connections
        self.header_timeout_s = header_timeout_s
        self.keep_alive_s = keep_alive_s


def _protocol(limits: Limits) -> type[H11Protocol]:
    class Guarded(H11Protocol):
        """h11 with a deadline for the first request and a connection cap."""

        _deadline: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            if len(self.connections) >= limits.max_connections:
                transport.close()
                return
            super().connection_made(transport)
            self._deadline = self.loop.call_later(limits.header_timeout_s, self._too_slow)

        def _too_slow(self) -> None:
            if self.cycle is None and not self.transport.is_closing():
                self.transport.close()

        def connection_lost(self, exc: Exception | None) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
            if self in self.connections:
                super().connection_lost(exc)

    return Guarded


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket (IPv6 when the host is); raises OSError."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(512)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


class AppServer:
    """One ASGI app on one bound socket, served from a background thread."""

    def __init__(self, app: Any, sock: socket.socket, limits: Limits | None = None) -> None:
        limits = limits or Limits()
        self.sock = sock
        config = uvicorn.Config(
            app,
            http=_protocol(limits),
            lifespan="auto",
            log_config=None,
            access_log=False,
            timeout_keep_alive=limits.keep_alive_s,
            limit_concurrency=limits.max_connections,
            server_header=False,
        )
        self.server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, name="http", daemon=True)

    def _run(self) -> None:
        asyncio.run(self.server.serve(sockets=[self.sock]))

    def start(self) -> None:
        """Serve in the background."""
        self._thread.start()

    def serve(self) -> None:
        """Serve in this thread until interrupted."""
        self._run()

    def stop(self) -> None:
        """Stop serving, close the socket."""
        self.server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        self.sock.close()
