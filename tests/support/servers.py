"""Real HTTP servers on 127.0.0.1 for tests: scripted replies, recorded requests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


Route = Callable[[Request], Reply]


class RecordingServer(ThreadingHTTPServer):
    """Answers each path from `routes`; records every request in `requests`."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        self.received = threading.Condition(self.lock)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def wait_for(self, count: int, timeout_s: float = 10.0) -> list[Request]:
        """Block until at least `count` requests arrived (or time out); return them."""
        with self.received:
            self.received.wait_for(lambda: len(self.requests) >= count, timeout_s)
            return list(self.requests)

    def start(self) -> RecordingServer:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: RecordingServer

    def _handle(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        req = Request(
            self.command,
            self.path,
            {k.lower(): v for k, v in self.headers.items()},
            self.rfile.read(length) if length else b"",
        )
        with self.server.received:
            self.server.requests.append(req)
            self.server.received.notify_all()
        route = self.server.routes.get(self.path.split("?")[0])
        reply = route(req) if route else Reply(404, b"not found")
        self.send_response(reply.status)
        for k, v in reply.headers.items():
            self.send_header(k, v)
        self.send_header("content-length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    do_GET = do_POST = do_HEAD = _handle

    def log_message(self, format: str, *args: object) -> None:
        pass


def static_feed(body: bytes, etag: str, content_type: str = "application/rss+xml") -> Route:
    """A route that serves `body` with an ETag and answers 304 to a matching If-None-Match."""

    def route(req: Request) -> Reply:
        if req.headers.get("if-none-match") == etag:
            return Reply(304, b"", {"etag": etag})
        return Reply(200, body, {"etag": etag, "content-type": content_type})

    return route
