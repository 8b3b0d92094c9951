"""Prometheus metrics and the `http:` listener: /metrics, /healthz and the console.

The server (uvicorn, daemon/web/serve.py) runs in its own thread and event loop
so that it can still answer (503) when the daemon's event loop is stuck, and so
that console traffic never runs on it. It never touches the daemon's database connection: the
loop publishes a `StoreStats` snapshot after each job, and /healthz probes the
database file with a connection of its own.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import Collector
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from daemon.errors import DaemonError
from daemon.poll.pipeline import PollReport
from daemon.web.app import ConsoleSettings, build_app
from daemon.web.serve import AppServer, Limits, bind
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


def endpoint_routes(metrics: Metrics, health: Health) -> list[BaseRoute]:
    """/metrics and /healthz, for the listener's app."""

    def render_metrics(request: Request) -> Response:
        return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)

    def healthz(request: Request) -> Response:
        problem = health()
        body = "ok\n" if problem is None else f"unhealthy: {problem}\n"
        return PlainTextResponse(body, status_code=200 if problem is None else 503)

    return [Route("/metrics", render_metrics), Route("/healthz", healthz)]


async def _not_found(request: Request, exc: Exception) -> Response:
    return PlainTextResponse("not found: try /metrics or /healthz\n", status_code=404)


class MetricsServer:
    """/metrics, /healthz and (given its settings) the web console, on a background thread."""

    def __init__(
        self,
        listen: str,
        metrics: Metrics,
        health: Health,
        console: ConsoleSettings | None = None,
        limits: Limits | None = None,
    ) -> None:
        host, _, port = listen.rpartition(":")
        host = host.strip("[]")
        routes = endpoint_routes(metrics, health)
        if console is not None:
            console.extra_routes = routes
            app = build_app(console)
        else:
            app = Starlette(routes=routes, exception_handlers={404: _not_found})
        try:
            sock = bind(host, int(port))
        except (OSError, ValueError) as e:
            raise HttpListenError(listen, str(e)) from e
        bound = sock.getsockname()[1]
        self.address = f"[{host}]:{bound}" if ":" in host else f"{host}:{bound}"
        self.console = console is not None
        self._server = AppServer(app, sock, limits)

    @property
    def url(self) -> str:
        """The console's address."""
        return f"http://{self.address}/"

    def start(self) -> None:
        """Start serving."""
        self._server.start()
        paths = "/,/metrics,/healthz" if self.console else "/metrics,/healthz"
        log.info("http listening addr=%s paths=%s", self.address, paths)
        if self.console:
            log.info("console at %s", self.url)

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.stop()


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
