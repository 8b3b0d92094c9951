"""The console's Starlette app: pages over the store, feeds out, and the few writes.

Handlers that only read are plain functions (Starlette runs them in its thread
pool); each thread has its own database connection. Writes are POSTs checked
for their CSRF token and origin before anything else (`_form`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qs, urlencode, urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from daemon.poll.opml import Outline, write_opml
from daemon.web import charts, output, security, tester
from daemon.web.text import clean, evidence_of, highlighted, safe_url
from rules.duration import parse_duration
from rules.engine import Engine
from rules.load import RuleSet, rule_files
from store import VERDICTS, HitFilter, Overview, StoreAPI, open_store
from store.codec import ts

STATIC = Path(__file__).parent / "static"
PAGE = 50


def utcnow() -> datetime:
    """Now, UTC."""
    return datetime.now(UTC)


def when(at: datetime | None, empty: str = "") -> str:
    """A stored time as people read it: `YYYY-MM-DD HH:MM` (UTC), `empty` for none."""
    return f"{at:%Y-%m-%d %H:%M}" if at else empty


@dataclass
class ConsoleSettings:
    """What the console needs: where the store is, the rules, who may use it."""

    store: str
    rules: Callable[[], RuleSet]
    rule_paths: Callable[[], Sequence[Path]] = tuple
    credential: security.Credential | None = None
    now: Callable[[], datetime] = utcnow
    cache_dir: Path | None = None
    extra_routes: list[BaseRoute] = field(default_factory=list)
    # Why the store can only be read (a replica, a read-only file), or None: the
    # console then opens it read-only and refuses every write with this reason.
    read_only: str | None = None
    # Hits a page reads at most when no index narrows its filter (StoreAPI.hit_floor).
    scan_hits: int = 20_000
    # How long the overview's counts are reused: they are the console's heaviest reads
    # (evidence of up to 5,000 hits parsed), and the daemon polls in the same process.
    overview_ttl_s: float = 5.0


class _Connections(threading.local):
    store: StoreAPI | None = None


class Console:
    """The app's state: per-thread stores, templates, the engine for the current rules."""

    def __init__(self, settings: ConsoleSettings) -> None:
        self.settings = settings
        self._local = _Connections()
        self._engine: tuple[RuleSet, Engine] | None = None
        self._lock = threading.Lock()
        self._opened: list[StoreAPI] = []
        self._overview: tuple[float, Any] | None = None
        self.env = Environment(
            loader=PackageLoader("daemon.web", "templates"),
            autoescape=select_autoescape(("html", "xml"), default_for_string=True, default=True),
        )
        self.env.filters.update(
            clean=clean, safe_url=safe_url, highlighted=highlighted, when=when, iso=ts
        )
        self.env.globals.update(
            evidence_of=evidence_of, urlencode=urlencode, read_only=settings.read_only
        )

    def store(self) -> StoreAPI:
        """This thread's store connection (opened on first use; migrated by the opener)."""
        if self._local.store is None:
            self._local.store = open_store(
                self.settings.store, migrate=False, read_only=self.settings.read_only is not None
            )
            with self._lock:
                self._opened.append(self._local.store)
        return self._local.store

    def close(self) -> None:
        """Close every thread's connection (the app is shutting down)."""
        with self._lock:
            opened, self._opened = self._opened, []
        for store in opened:
            store.close()

    def overview_reads(self, now: datetime) -> tuple[Overview, dict[str, dict[str, int]]]:
        """The overview's counts and the actor chart, reused for `overview_ttl_s`."""
        with self._lock:
            cached = self._overview
        if cached is not None and time.monotonic() - cached[0] < self.settings.overview_ttl_s:
            return cast(tuple[Overview, dict[str, dict[str, int]]], cached[1])
        q = self.store()
        reads = (q.overview(now), q.actor_counts(now - timedelta(days=14)))
        with self._lock:
            self._overview = (time.monotonic(), reads)
        return reads

    def changed(self) -> None:
        """The console wrote to the store: read the overview afresh."""
        with self._lock:
            self._overview = None

    def engine(self) -> Engine:
        """An engine for the rules in force (rebuilt when they are reloaded)."""
        rules = self.settings.rules()
        with self._lock:
            if self._engine is None or self._engine[0] is not rules:
                self._engine = (rules, Engine(rules, cache_dir=self.settings.cache_dir))
            return self._engine[1]

    def page(self, request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        """A rendered template with the CSRF token and the nav."""
        ctx.setdefault("title", name.removesuffix(".html"))
        html = self.env.get_template(name).render(
            csrf=request.state.csrf, path=request.url.path, **ctx
        )
        return HTMLResponse(html, status_code=status)


def hit_filter(request: Request) -> HitFilter:
    """The hit filters of a query string."""
    p = request.query_params
    story = p.get("story", "")
    return HitFilter(
        watch=p.get("watch", ""),
        actor=p.get("actor", ""),
        lang=p.get("lang", ""),
        feed=p.get("feed", ""),
        severity=p.get("severity", ""),
        verdict=p.get("verdict", ""),
        since=p.get("since", "")[:10],
        until=p.get("until", "")[:10],
        q=p.get("q", "")[:200],
        story=int(story) if story.isdigit() else None,
    )


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


class FormError(Exception):
    """A POST refused (CSRF, origin, bad field)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


async def _form(request: Request, *, writes: bool = True) -> dict[str, str]:
    """The POSTed form, once its origin and CSRF token are checked.

    `writes`: the action changes the store, refused on a read-only console.
    """
    reason = request.app.state.console.settings.read_only
    if writes and reason is not None:
        raise FormError(403, refusal(request, reason))
    origin = request.headers.get("origin")
    if origin and urlsplit(origin).netloc != request.headers.get("host", ""):
        raise FormError(403, "cross-origin request refused")
    body = (await request.body())[:1_000_000].decode("utf-8", "replace")
    form = {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}
    presented = request.headers.get("x-csrf-token") or form.get("csrf")
    if not security.csrf_ok(request.cookies.get(security.CSRF_COOKIE), presented):
        raise FormError(403, "missing or wrong CSRF token: reload the page and try again")
    return form


def refusal(request: Request, reason: str) -> str:
    """Why a write is refused on a read-only console, naming the route and the store."""
    return (
        f"{request.method} {request.url.path}: this console is read-only ({reason}); "
        "verdicts, mutes, retries and feed changes are made on a console of the primary store"
    )


def _back(request: Request, fallback: str) -> RedirectResponse:
    ref = request.headers.get("referer", "")
    parts = urlsplit(ref)
    target = fallback
    if ref and parts.netloc == request.headers.get("host", ""):
        target = parts.path + (f"?{parts.query}" if parts.query else "")
    return RedirectResponse(target, status_code=303)


def build_app(settings: ConsoleSettings) -> Starlette:
    """The console app (plus `settings.extra_routes`, e.g. /metrics and /healthz)."""
    c = Console(settings)

    def overview(request: Request) -> Response:
        now = settings.now()
        q = c.store()
        o, actors = c.overview_reads(now)
        xs = charts.days(now.date(), 14)
        singles = {k: v for k, v in actors.items() if "+" not in k}
        pairs = {k: v for k, v in actors.items() if "+" in k}
        spikes = [
            (w, n, o.baseline_hour.get(w, 0.0))
            for w, n in sorted(o.last_hour.items(), key=lambda x: -x[1])
        ]
        return c.page(
            request,
            "overview.html",
            title="overview",
            o=o,
            watch_chart=charts.line_chart(o.per_day, xs, label="hits per day per watch"),
            actor_chart=charts.line_chart(singles, xs, label="hits per day per actor"),
            pair_chart=charts.line_chart(pairs, xs, label="hits per day per actor pair"),
            spikes=spikes,
            hits=q.hit_page(HitFilter(), limit=10),
            mutes=q.mutes(now),
        )

    def hits(request: Request) -> Response:
        f = hit_filter(request)
        before = _int(request.query_params.get("before"))
        q = c.store()
        floor = q.hit_floor(f, before, settings.scan_hits)
        rows = q.hit_page(f, limit=PAGE, before=before, floor=floor)
        more = rows[-1]["id"] if len(rows) == PAGE else floor
        return c.page(
            request,
            "hits.html",
            title="hits",
            rows=rows,
            f=f,
            query=f.query(),
            more=more,
            scanned=(floor, before) if floor and len(rows) < PAGE else None,
        )

    def hits_feed(request: Request) -> Response:
        f = hit_filter(request)
        q = c.store()
        rows = q.hit_page(f, limit=PAGE, floor=q.hit_floor(f, None, settings.scan_hits))
        home = str(request.base_url)
        kind = request.path_params["fmt"]
        title = "wirewatch hits" + (f" · {f.watch}" if f.watch else "")
        if kind == "atom":
            xml = c.env.get_template("hits.atom.xml").render(
                rows=rows, home=home, self_url=str(request.url), title=title, now=ts(settings.now())
            )
            return Response(xml, media_type="application/atom+xml; charset=utf-8")
        if kind == "json":
            body = output.json_feed(rows, title=title, home=home, self_url=str(request.url))
            return Response(body, media_type="application/feed+json; charset=utf-8")
        return Response(
            output.csv_text(rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="hits.csv"'},
        )

    def hit_page(request: Request) -> Response:
        q = c.store()
        hit = q.hit_detail(request.path_params["id"])
        if hit is None:
            return c.page(request, "missing.html", status=404, what="hit")
        return c.page(
            request,
            "hit.html",
            title="hit",
            hit=hit,
            alerts=q.hit_alerts([hit["id"]]),
            verdicts=VERDICTS,
        )

    def story(request: Request) -> Response:
        q = c.store()
        sid = request.path_params["id"]
        story_hits = q.story_hits(sid)
        articles = q.story_articles(sid)
        if not articles:
            return c.page(request, "missing.html", status=404, what="story")
        return c.page(
            request,
            "story.html",
            title=f"story {sid}",
            sid=sid,
            articles=articles,
            hits=story_hits,
            alerts=q.hit_alerts([h["id"] for h in story_hits]),
            verdicts=VERDICTS,
        )

    def feeds(request: Request) -> Response:
        now = settings.now()
        q = c.store()
        xs = charts.days(now.date(), 14)
        per_day = q.feed_days(now - timedelta(days=14))
        rows = [
            {
                **dataclasses.asdict(f),
                "spark": charts.sparkline([per_day.get(f.url, {}).get(x, 0) for x in xs]),
            }
            for f in q.feeds()
        ]
        return c.page(request, "feeds.html", title="feeds", rows=rows)

    def feeds_opml(request: Request) -> Response:
        body = write_opml(Outline(f.url, f.title) for f in c.store().feeds(active=True))
        return Response(body, media_type="text/x-opml; charset=utf-8")

    async def feeds_add(request: Request) -> Response:
        form = await _form(request)
        url = form.get("url", "").strip()
        if not safe_url(url):
            raise FormError(400, "a feed URL must be http:// or https://")
        try:
            interval_s = int(parse_duration(form.get("interval") or "15m"))
        except ValueError as e:
            raise FormError(400, f"interval: {e}") from e
        await run_in_threadpool(c.store().add_feed, url, interval_s, settings.now(), None)
        c.changed()
        return RedirectResponse("/feeds", status_code=303)

    async def feeds_import(request: Request) -> Response:
        import tempfile

        from daemon.poll.opml import OpmlError, read_opml

        form = await _form(request)
        with tempfile.NamedTemporaryFile("w", suffix=".opml", encoding="utf-8") as tmp:
            tmp.write(form.get("opml", ""))
            tmp.flush()
            try:
                outlines = read_opml(Path(tmp.name))
            except OpmlError as e:
                raise FormError(400, str(e).replace(tmp.name, "the pasted OPML")) from e
        now = settings.now()
        for o in outlines:
            if safe_url(o.url):
                await run_in_threadpool(c.store().add_feed, o.url, 900, now, o.title)
                c.changed()
        return RedirectResponse("/feeds", status_code=303)

    def watches(request: Request) -> Response:
        rules = settings.rules()
        prec = {r["watch_id"]: r for r in c.store().precision()}
        return c.page(request, "watches.html", title="watches", watches=rules.watches, prec=prec)

    def watch(request: Request) -> Response:
        wid = request.path_params["id"]
        found = [w for w in settings.rules().watches if w.spec.id == wid]
        if not found:
            return c.page(request, "missing.html", status=404, what="watch")
        w = found[0]
        now = settings.now()
        q = c.store()
        try:
            source = Path(w.file).read_text(encoding="utf-8")
        except OSError as e:
            source = f"# cannot read {w.file}: {e}"
        xs = charts.days(now.date(), 30)
        chart = charts.line_chart(q.hits_per_day(now - timedelta(days=30), wid), xs, label=wid)
        prec = next((p for p in q.precision() if p["watch_id"] == wid), None)
        return c.page(request, "watch.html", title=wid, w=w, source=source, chart=chart, prec=prec)

    def tester_page(request: Request) -> Response:
        return c.page(request, "tester.html", title="rule tester", **_tester_defaults(request))

    def _tester_defaults(request: Request) -> dict[str, Any]:
        wid = request.query_params.get("watch", "")
        found = [w for w in settings.rules().watches if w.spec.id == wid]
        yaml_text, file_name = "", ""
        if found:
            file_name = Path(found[0].file).name
            try:
                yaml_text = Path(found[0].file).read_text(encoding="utf-8")
            except OSError:
                yaml_text = ""
        text = ""
        article = request.query_params.get("article", "")
        if article:
            text = c.store().article_text(article) or ""
        return {
            "text": text,
            "yaml_text": yaml_text,
            "file_name": file_name,
            "days": 7,
            "watch_ids": [w.spec.id for w in settings.rules().watches],
        }

    async def tester_run(request: Request) -> Response:
        form = await _form(request, writes=False)  # the tester only reads
        return await run_in_threadpool(_tester_run, request, form)

    def _tester_run(request: Request, form: dict[str, str]) -> Response:
        text = form.get("text", "")
        article_ref = form.get("article", "").strip()
        if article_ref:
            text = c.store().article_text(article_ref) or text
        yaml_text = form.get("yaml", "")
        file_name = form.get("file", "") or "edited.yaml"
        errors: list[str] = []
        engine = c.engine()
        edited = False
        if yaml_text.strip():
            # The edited file stands in for the file of the same name.
            others = [
                p for p in rule_files(settings.rule_paths()) if p.name != Path(file_name).name
            ]
            rules, errors = tester.try_rules(yaml_text, file_name, others, settings.cache_dir)
            if rules is not None:
                engine, edited = Engine(rules, cache_dir=settings.cache_dir), True
        result = tester.match_text(engine, text, form.get("lang")) if text.strip() else None
        bt = None
        days = min(max(_int(form.get("days")) or 7, 1), 90)
        if form.get("backtest") and not errors:
            since = settings.now() - timedelta(days=days)
            bt = tester.run_backtest(engine, c.store().recent_articles(since))
        xs = sorted(bt.articles) if bt else []
        chart = charts.line_chart({"fires": dict(bt.fires)}, xs, label="would fire") if bt else None
        return c.page(
            request,
            "tester.html",
            title="rule tester",
            text=text,
            yaml_text=yaml_text,
            file_name=file_name,
            days=days,
            result=result,
            errors=errors,
            edited=edited,
            bt=bt,
            bt_chart=chart,
            actors=settings.rules().actors,
            watch_ids=[w.spec.id for w in settings.rules().watches],
        )

    async def verdict(request: Request) -> Response:
        form = await _form(request)
        value = form.get("verdict", "")
        if value not in VERDICTS:
            raise FormError(400, f"verdict must be one of {', '.join(VERDICTS)}")
        hid = request.path_params["id"]
        await run_in_threadpool(c.store().set_verdict, hid, value, settings.now())
        c.changed()
        return _back(request, f"/hits/{hid}")

    def verdicts(request: Request) -> Response:
        q = c.store()
        prec = q.precision()
        suggestions = {
            p["watch_id"]: tester.suggest_excludes(q.judged_evidence(p["watch_id"]))
            for p in prec
            if p["irrelevant"]
        }
        return c.page(
            request, "verdicts.html", title="verdicts", prec=prec, suggestions=suggestions
        )

    def mutes(request: Request) -> Response:
        return c.page(request, "mutes.html", title="mutes", mutes=c.store().mutes(settings.now()))

    async def mute_add(request: Request) -> Response:
        form = await _form(request)
        kind, target = form.get("kind", ""), form.get("target", "").strip()
        try:
            seconds = parse_duration(form.get("for") or "1d")
        except ValueError as e:
            raise FormError(400, f"for: {e}") from e
        if kind not in ("watch", "story", "actor") or not target:
            raise FormError(400, "a mute needs a kind (watch, story, actor) and a target")
        now = settings.now()
        await run_in_threadpool(
            c.store().add_mute,
            kind,
            target,
            now + timedelta(seconds=seconds),
            now,
            form.get("reason"),
        )
        c.changed()
        return RedirectResponse("/mutes", status_code=303)

    async def mute_end(request: Request) -> Response:
        await _form(request)
        await run_in_threadpool(c.store().remove_mute, request.path_params["id"])
        c.changed()
        return RedirectResponse("/mutes", status_code=303)

    def deliveries(request: Request) -> Response:
        status = request.query_params.get("status", "")
        status = status if status in ("pending", "sent", "dead") else ""
        before = _int(request.query_params.get("before"))
        q = c.store()
        rows = q.delivery_page(status, PAGE, before)
        more = rows[-1]["id"] if len(rows) == PAGE else None
        return c.page(
            request,
            "deliveries.html",
            title="deliveries",
            rows=rows,
            chosen=status,
            more=more,
            destinations=q.destinations(),
            counts=q.overview(settings.now()).outbox,
        )

    async def deliveries_retry(request: Request) -> Response:
        form = await _form(request)
        ids = [int(x) for x in form.get("ids", "").split(",") if x.strip().isdigit()]
        await run_in_threadpool(c.store().retry_dead, ids or None, settings.now())
        c.changed()
        return RedirectResponse("/deliveries?status=pending", status_code=303)

    routes: list[BaseRoute] = [
        *settings.extra_routes,
        Route("/", overview),
        Route("/hits", hits),
        Route("/hits.{fmt:str}", hits_feed),
        Route("/hits/{id:int}", hit_page),
        Route("/hits/{id:int}/verdict", verdict, methods=["POST"]),
        Route("/stories/{id:int}", story),
        Route("/feeds", feeds),
        Route("/feeds", feeds_add, methods=["POST"]),
        Route("/feeds.opml", feeds_opml),
        Route("/feeds/import", feeds_import, methods=["POST"]),
        Route("/watches", watches),
        Route("/watches/{id:str}", watch),
        Route("/tester", tester_page),
        Route("/tester", tester_run, methods=["POST"]),
        Route("/verdicts", verdicts),
        Route("/mutes", mutes),
        Route("/mutes", mute_add, methods=["POST"]),
        Route("/mutes/{id:int}/end", mute_end, methods=["POST"]),
        Route("/deliveries", deliveries),
        Route("/deliveries/retry", deliveries_retry, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        c.close()

    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[Middleware(_Guard, credential=settings.credential)],
        exception_handlers={FormError: _refused},  # type: ignore[dict-item]
    )
    app.state.console = c
    return app


async def _refused(request: Request, exc: FormError) -> Response:
    return PlainTextResponse(f"{exc.reason}\n", status_code=exc.status)


OPEN_PATHS = ("/healthz", "/metrics")


class _Guard(BaseHTTPMiddleware):
    """Authentication, the CSRF cookie and the security headers, on every response."""

    def __init__(self, app: Any, credential: security.Credential | None) -> None:
        super().__init__(app)
        self.credential = credential

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        if self.credential is not None and request.url.path not in OPEN_PATHS:
            secret = security.presented_secret(request.headers.get("authorization"))
            if secret is None or not self.credential.accepts(secret):
                return PlainTextResponse(
                    "authentication required\n",
                    status_code=401,
                    headers={"WWW-Authenticate": 'Basic realm="wirewatch", charset="UTF-8"'},
                )
        token = request.cookies.get(security.CSRF_COOKIE)
        fresh = token is None or len(token) < 32
        request.state.csrf = security.new_csrf_token() if fresh else token
        response = await call_next(request)
        for k, v in security.HEADERS.items():
            response.headers.setdefault(k, v)
        if fresh:
            response.set_cookie(
                security.CSRF_COOKIE,
                request.state.csrf,
                httponly=True,
                samesite="strict",
                secure=request.url.scheme == "https",
            )
        return response
