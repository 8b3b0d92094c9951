"""Prometheus metrics and the /metrics + /healthz HTTP endpoint.

The server runs in its own thread so that it can still answer (503) when the
event loop is stuck. It never touches the daemon's database connection: the
loop publishes a `StoreStats` snapshot after each job, and /healthz probes the
database file with a connection of its own.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import Collector

from daemon.errors import DaemonError
from daemon.poll.pipeline import PollReport
from store import StoreStats

log = logging.getLogger(__name__)

POLL_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
DELIVERY_BUCKETS = (0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600, 6 * 3600, 24 * 3600)


class HttpListenError(DaemonError):
    """The metrics endpoint cannot listen where the config says."""

    def __init__(self, listen: str, reason: str) -> None:
        super().__init__(f"http.listen {listen}: {reason} (change http.listen, or http: null)")
        self.listen = listen
        self.reason = reason


class StoreCollector(Collector):
    """Exposes the latest StoreStats snapshot the event loop published."""

    def __init__(self) -> None:
        self.snapshot = StoreStats()

    def collect(self) -> Iterator[Metric]:
        s = self.snapshot  # replaced whole by the loop, so reading it is thread-safe
        feeds = GaugeMetricFamily(
            "wirewatch_feeds",
            "Feeds by status and, when failing, error class",
            labels=["status", "error_class"],
        )
        for (status, error_class), n in sorted(s.feeds.items()):
            feeds.add_metric([status, error_class], n)
        yield feeds
        yield GaugeMetricFamily("wirewatch_articles_stored", "Articles in the store", s.articles)
        hits = CounterMetricFamily("wirewatch_hits", "Hits recorded, by watch", labels=["watch"])
        for watch, n in sorted(s.hits_by_watch.items()):
            hits.add_metric([watch], n)
        yield hits
        deliveries = GaugeMetricFamily(
            "wirewatch_deliveries",
            "Deliveries by channel and status (pending, sent, dead)",
            labels=["channel", "status"],
        )
        for (channel, status), n in sorted(s.deliveries.items()):
            deliveries.add_metric([channel, status], n)
        yield deliveries
        yield GaugeMetricFamily(
            "wirewatch_outbox_depth", "Deliveries pending in the outbox", s.pending
        )


class Metrics:
    """The daemon's metrics, in a registry of their own (no global state)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.store = StoreCollector()
        self.registry.register(self.store)
        r = self.registry
        self.polls = Counter(
            "wirewatch_polls",
            "Feed polls by outcome (ok, unchanged, failed) and error class",
            ["outcome", "error_class"],
            registry=r,
        )
        self.articles = Counter("wirewatch_articles_ingested", "New articles recorded", registry=r)
        self.poll_seconds = Histogram(
            "wirewatch_poll_duration_seconds",
            "Time to poll one feed, incl. waiting for a slot",
            buckets=POLL_BUCKETS,
            registry=r,
        )
        self.delivery_seconds = Histogram(
            "wirewatch_delivery_latency_seconds",
            "From hit recorded to alert sent, by channel",
            ["channel"],
            buckets=DELIVERY_BUCKETS,
            registry=r,
        )
        self.reloads = Counter(
            "wirewatch_reloads", "Config and rule reloads by result", ["result"], registry=r
        )
        self.sent_watermark = ""

    def observe_poll(self, report: PollReport, seconds: float, error_class: str | None) -> None:
        """Count one poll and its duration."""
        outcome = "failed" if not report.ok else "unchanged" if report.unchanged else "ok"
        self.polls.labels(outcome, error_class or "" if not report.ok else "").inc()
        self.articles.inc(report.new)
        self.poll_seconds.observe(seconds)

    def observe_sent(self, sent: list[tuple[str, float]]) -> None:
        """Record the outbox latency of newly sent deliveries."""
        for channel, seconds in sent:
            self.delivery_seconds.labels(channel).observe(seconds)

    def render(self) -> bytes:
        """The Prometheus text exposition."""
        return generate_latest(self.registry)


Health = Callable[[], str | None]  # None when healthy, else why not


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], metrics: Metrics, health: Health) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.metrics = metrics
        self.health = health
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "wirewatch"

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/metrics":
            self._reply(200, self.server.metrics.render(), CONTENT_TYPE_LATEST)
        elif path == "/healthz":
            problem = self.server.health()
            body = b"ok\n" if problem is None else f"unhealthy: {problem}\n".encode()
            self._reply(200 if problem is None else 503, body, "text/plain; charset=utf-8")
        else:
            self._reply(404, b"not found: try /metrics or /healthz\n", "text/plain")

    def _reply(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        log.debug("http request client=%s line=%s", self.client_address[0], format % args)


class MetricsServer:
    """/metrics and /healthz on a background thread."""

    def __init__(self, listen: str, metrics: Metrics, health: Health) -> None:
        host, _, port = listen.rpartition(":")
        host = host.strip("[]")
        try:
            self.server = _Server((host, int(port)), metrics, health)
        except (OSError, ValueError) as e:
            raise HttpListenError(listen, str(e)) from e
        bound = self.server.server_address[1]
        self.address = f"[{host}]:{bound}" if ":" in host else f"{host}:{bound}"
        self._thread = threading.Thread(
            target=self.server.serve_forever, args=(0.1,), name="http", daemon=True
        )  # poll_interval 0.1 s: shutdown() waits for it on stop

    def start(self) -> None:
        """Start serving."""
        self._thread.start()
        log.info("http listening addr=%s paths=/metrics,/healthz", self.address)

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.server.shutdown()
        self.server.server_close()


class Heartbeat:
    """When the event loop last ran our tick; read from the HTTP thread."""

    def __init__(self, stale_after_s: float) -> None:
        self.stale_after_s = stale_after_s
        self.at = time.monotonic()

    def beat(self) -> None:
        """The loop is alive."""
        self.at = time.monotonic()

    def problem(self) -> str | None:
        """None while beats are fresh, else how long the loop has been silent."""
        age = time.monotonic() - self.at
        if age > self.stale_after_s:
            return f"event loop silent for {age:.1f}s"
        return None
