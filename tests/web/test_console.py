"""The console app driven for every route with Starlette's test client."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import feedparser
import pytest

from daemon.alerts.stories import Stories
from daemon.web.security import CSP, Credential, hash_password
from rules.engine import Engine
from rules.model import Article
from store import open_store
from tests.web.conftest import NOW, RULES, SEED_TEXT, Seeded, make_client

PAGES = [
    "/",
    "/hits",
    "/hits?q=Telefonat",
    "/hits?watch=russia-north-korea&lang=de&severity=high&since=2026-11-01&until=2026-11-30",
    "/hits?actor=RUS&verdict=none",
    "/feeds",
    "/watches",
    "/watches/russia-north-korea",
    "/tester",
    "/tester?watch=russia-north-korea",
    "/verdicts",
    "/mutes",
    "/deliveries",
    "/deliveries?status=pending",
]


def csrf(client: Any) -> str:
    client.get("/")
    token = client.cookies.get("ww_csrf")
    assert token and len(token) >= 32
    return str(token)


def hrefs(html: str) -> list[str]:
    return re.findall(r'(?:href|src|action)="([^"]*)"', html)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_escaped_under_a_strict_csp(client: Any, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200, r.text
    assert r.headers["content-security-policy"] == CSP
    assert "'unsafe-inline'" not in CSP and "script-src 'self'" in CSP
    assert r.headers["x-frame-options"] == "DENY"
    html = r.text
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "\u202e" not in html  # the override is shown as a mark, never obeyed
    assert all(not h.lower().startswith("javascript:") for h in hrefs(html))
    # the only script is the static file; no inline handler
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/console.js" defer>']
    assert not re.search(r"\son[a-z]+=", html.replace("onerror=alert", ""))
    assert ' style="' not in html


def test_hit_list_shows_the_hostile_title_as_text(client: Any, seeded: Seeded) -> None:
    html = client.get("/hits").text
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=alert(2)&gt;" in html
    )
    assert "\ufffdevil" in html
    assert 'href="javascript:' not in html
    assert "Putin und Kim telefonieren" in html
    assert f'href="/hits/{seeded.seed_hit}"' in html


def test_overview_draws_charts_and_links_the_atom_feed(client: Any, seeded: Seeded) -> None:
    html = client.get("/").text
    assert html.count('<svg class="chart"') == 3
    assert '<polyline class="series"' in html
    assert 'href="/hits.atom"' in html
    assert f'href="/stories/{seeded.story}"' in html
    assert "russia-north-korea" in html


def test_story_page_highlights_evidence_and_lists_alerts(client: Any, seeded: Seeded) -> None:
    html = client.get(f"/stories/{seeded.story}").text
    assert "<mark>Putin</mark>" in html or "<mark>Kreml</mark>" in html
    assert re.search(r"<td>console</td><td>alert</td><td>pending</td>", html)


def test_hostile_evidence_is_escaped_around_highlights(client: Any, seeded: Seeded) -> None:
    html = client.get(f"/hits/{seeded.hostile_hit}").text
    assert "&lt;b&gt;vereinbaren&lt;/b&gt;" in html
    assert "<mark>Putin</mark>" in html
    assert "<b>vereinbaren" not in html


def test_missing_things_are_404(client: Any) -> None:
    for path in ("/hits/99999", "/stories/99999", "/watches/nope", "/nope"):
        assert client.get(path).status_code == 404


def test_atom_feed_carries_the_seed_hit_and_escapes_titles(client: Any, seeded: Seeded) -> None:
    r = client.get("/hits.atom?watch=russia-north-korea")
    assert r.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(r.content)
    assert not feed.bozo, feed.bozo_exception
    titles = [e.title for e in feed.entries]
    assert "[russia-north-korea] Putin und Kim telefonieren" in titles
    assert any("<script>alert(1)" in t for t in titles)  # as text, for the reader to escape
    links = [link.href for e in feed.entries for link in e.links]
    assert not any(h.startswith("javascript:") for h in links)


def test_json_feed_and_csv_of_a_filtered_list(client: Any, seeded: Seeded) -> None:
    doc = client.get("/hits.json?q=Telefonat").json()
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    assert [i["id"].rsplit("/", 1)[1] for i in doc["items"]] == [str(seeded.seed_hit)]
    hostile = client.get("/hits.json?feed=https://evil.example/feed.xml").json()["items"][0]
    assert "external_url" not in hostile
    rows = list(csv.reader(io.StringIO(client.get("/hits.csv").text)))
    assert rows[0][:3] == ["id", "created_at", "watch_id"]
    assert {r[0] for r in rows[1:]} == {str(seeded.seed_hit), str(seeded.hostile_hit)}
    formula = client.get("/hits.csv?feed=https://evil.example/feed.xml").text
    assert "javascript:alert(3)" in formula


def test_csv_cells_never_start_a_formula() -> None:
    from daemon.web.output import csv_cell

    assert csv_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert csv_cell("@SUM") == "'@SUM" and csv_cell("plain") == "plain"


# The POSTs that change the store (a read-only console refuses them); the tester only reads.
WRITES = [
    ("/hits/{hit}/verdict", {"verdict": "irrelevant"}),
    ("/mutes", {"kind": "watch", "target": "russia-north-korea", "for": "1h"}),
    ("/mutes/1/end", {}),
    ("/deliveries/retry", {"ids": ""}),
    ("/feeds", {"url": "https://example.org/rss"}),
    ("/feeds/import", {"opml": "<opml/>"}),
]


@pytest.mark.parametrize(("path", "data"), [*WRITES, ("/tester", {"text": "Putin"})])
def test_writes_without_the_csrf_token_are_refused(
    client: Any, seeded: Seeded, path: str, data: dict[str, str]
) -> None:
    path = path.format(hit=seeded.seed_hit)
    token = csrf(client)
    assert client.post(path, data=data).status_code == 403
    assert client.post(path, data={**data, "csrf": "x" * 43}).status_code == 403
    cross = client.post(
        path, data={**data, "csrf": token}, headers={"Origin": "https://evil.example"}
    )
    assert cross.status_code == 403
    assert client.get(path.replace("/verdict", "").replace("/end", "")).status_code in (
        200,
        404,
        405,
    )


def test_a_filter_no_index_narrows_pages_through_the_hits_a_stretch_at_a_time(
    seeded: Seeded,
) -> None:
    for client in make_client(seeded, scan_hits=1):
        html = client.get("/hits?lang=de").text
        newest = max(seeded.seed_hit, seeded.hostile_hit)
        assert f"Read hits {newest} to the newest for this filter" in html
        assert f'data-hit="{newest}"' in html
        assert f'href="/hits?lang=de&amp;before={newest}">older →' in html
        older = client.get(f"/hits?lang=de&before={newest}").text
        assert f'data-hit="{newest - 1}"' in older and f'data-hit="{newest}"' not in older


def test_a_search_with_such_a_filter_pages_a_stretch_at_a_time_past_empty_ones(
    seeded: Seeded,
) -> None:
    # Both hits have "Kim": more than the window of 1, so a page reads 1 hit; one with
    # none of the language's shows none, says which it read and links to the older ones.
    newest = max(seeded.seed_hit, seeded.hostile_hit)
    for client in make_client(seeded, scan_hits=1):
        html = client.get("/hits?q=kim&lang=fr").text
        assert "data-hit=" not in html
        assert f"Read hits {newest} to the newest for this filter" in html
        assert f'href="/hits?lang=fr&amp;q=kim&amp;before={newest}">older →' in html
        older = client.get(f"/hits?q=kim&lang=de&before={newest}").text
        assert f'data-hit="{newest - 1}"' in older and "older →" not in older
        # A word in one hit only: the page reads its every hit, no window.
        few = client.get("/hits?q=telefonieren&lang=de").text
        assert f'data-hit="{seeded.seed_hit}"' in few
        assert "Read hits" not in few and "older →" not in few


def test_a_verdict_is_stored_and_counts_in_precision(client: Any, seeded: Seeded) -> None:
    token = csrf(client)
    r = client.post(
        f"/hits/{seeded.hostile_hit}/verdict",
        data={"verdict": "irrelevant", "csrf": token},
        follow_redirects=False,
    )
    assert r.status_code == 303
    r = client.post(
        f"/hits/{seeded.seed_hit}/verdict",
        data={"verdict": "relevant"},
        headers={"X-CSRF-Token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert (
        client.post(
            f"/hits/{seeded.seed_hit}/verdict", data={"verdict": "maybe", "csrf": token}
        ).status_code
        == 400
    )
    html = client.get("/verdicts").text
    assert re.search(r"russia-north-korea</a></td><td><a[^>]*>1</a></td><td><a[^>]*>1</a>", html)
    assert "50%" in html
    only = client.get("/hits?verdict=irrelevant").text
    assert (
        f'data-hit="{seeded.hostile_hit}"' in only and f'data-hit="{seeded.seed_hit}"' not in only
    )


def test_rule_tester_explains_the_seed_and_points_at_rule_errors(client: Any) -> None:
    token = csrf(client)
    html = client.post("/tester", data={"csrf": token, "text": SEED_TEXT}).text
    assert "FIRES russia-north-korea [high]" in html
    assert "<mark>" in html
    source = (RULES / "russia-north-korea.yaml").read_text(encoding="utf-8")
    broken = source.replace("pair: [RUS, PRK]", "pari: [RUS, PRK]")
    html = client.post(
        "/tester",
        data={"csrf": token, "text": SEED_TEXT, "yaml": broken, "file": "russia-north-korea.yaml"},
    ).text
    assert "<code>russia-north-korea.yaml:10:5: unknown key &#39;pari&#39;" in html
    assert (RULES / "russia-north-korea.yaml").read_text(encoding="utf-8") == source


def test_backtest_of_an_edited_rule_over_stored_articles(client: Any) -> None:
    token = csrf(client)
    source = (RULES / "russia-north-korea.yaml").read_text(encoding="utf-8")
    edited = source.replace("id: russia-north-korea", "id: rus-prk-edited")
    html = client.post(
        "/tester",
        data={
            "csrf": token,
            "yaml": edited,
            "file": "russia-north-korea.yaml",
            "backtest": "1",
            "days": "3650",
        },
    ).text
    assert "Backtest: 2 fires on 2 articles" in html
    assert "rus-prk-edited: <bdi>Putin und Kim telefonieren</bdi>" in html
    assert '<svg class="chart"' in html


def test_mute_is_stored_listed_and_honoured_by_alerting(fresh: Seeded) -> None:
    for client in make_client(fresh):
        token = csrf(client)
        r = client.post(
            "/mutes",
            data={"csrf": token, "kind": "actor", "target": "PRK", "for": "2h", "reason": "<i>x"},
        )
        assert r.status_code == 200
        assert "<td>2026-11-28 11:00</td>" in r.text and "&lt;i&gt;x" in r.text
        assert "Muted: actor <bdi>PRK</bdi>" in client.get("/").text
    store = open_store(fresh.target)
    stories = Stories(store, {}, lambda: {})
    engine = Engine(fresh.rules)
    text = "Putin traf Kim Jong Un in Moskau."
    art = Article("new-1", "https://news.example.org/feed.xml", "https://x.example/1", "t", text)
    hits = [(h, ["console"]) for h in engine.match(text, lang="de").hits]
    assert hits
    recorded = stories.record(art, hits, NOW)
    assert recorded.hit_ids and recorded.delivery_ids == []  # recorded, not alerted
    later = stories.record(
        Article("new-2", "https://news.example.org/feed.xml", "https://x.example/2", "u", text),
        hits,
        NOW.replace(hour=12),
    )
    assert later.delivery_ids  # the mute has ended
    store.close()


def test_retry_dead_letters_from_the_deliveries_page(fresh: Seeded) -> None:
    store = open_store(fresh.target)
    job = store.deliveries("pending")[0]
    store.mark_failed(job.id, "HTTP 410 <gone>", None)
    store.close()
    for client in make_client(fresh):
        token = csrf(client)
        assert "HTTP 410 &lt;gone&gt;" in client.get("/deliveries?status=dead").text
        assert client.post("/deliveries/retry", data={"csrf": token, "ids": ""}).status_code == 200
        assert "<td>dead</td>" not in client.get("/deliveries").text


def test_the_overview_is_reused_until_the_console_writes(fresh: Seeded) -> None:
    store = open_store(fresh.target)
    job = store.deliveries("pending")[0]
    store.mark_failed(job.id, "HTTP 410", None)
    for client in make_client(fresh, overview_ttl_s=3600):
        assert " · dead 1 — " in client.get("/").text
        other = store.deliveries("pending")[0]
        store.mark_failed(other.id, "HTTP 500", None)  # the daemon writes meanwhile
        reused = client.get("/").text
        assert " · dead 1 — " in reused and "HTTP 500" not in reused
        token = csrf(client)
        client.post("/deliveries/retry", data={"csrf": token, "ids": str(job.id)})
        afresh = client.get("/").text  # one retried, the other dead
        assert " · dead 1 — " in afresh and "HTTP 500" in afresh and "HTTP 410" not in afresh
    store.close()


def test_feeds_add_import_and_export_opml(fresh: Seeded) -> None:
    for client in make_client(fresh):
        token = csrf(client)
        assert client.post("/feeds", data={"csrf": token, "url": "javascript:x"}).status_code == 400
        client.post(
            "/feeds", data={"csrf": token, "url": "https://a.example/rss", "interval": "1h"}
        )
        opml = (
            '<opml version="2.0"><body><outline type="rss" text="B" '
            'xmlUrl="https://b.example/feed"/></body></opml>'
        )
        assert client.post("/feeds/import", data={"csrf": token, "opml": opml}).status_code == 200
        out = client.get("/feeds.opml").text
        assert "https://a.example/rss" in out and "https://b.example/feed" in out
        assert '<svg class="spark"' in client.get("/feeds").text


def test_suggested_excludes_come_from_irrelevant_context() -> None:
    from daemon.web.tester import suggest_excludes

    def ev(text: str, name: str) -> str:
        s = text.index(name)
        m = {"actor": "RUS", "text": name, "start": s, "end": s + len(name)}
        return json.dumps(
            [{"text": text, "start": 0, "end": len(text), "actors": ["RUS"], "mentions": [m]}]
        )

    judged = [
        {"verdict": "irrelevant", "evidence": ev("Add Russian dressing to it", "Russian")},
        {"verdict": "irrelevant", "evidence": ev("With Russian dressing again", "Russian")},
        {"verdict": "relevant", "evidence": ev("The Russian army moved", "Russian")},
        {"verdict": "relevant", "evidence": ev("Add Russian troops", "Russian")},
    ]
    assert suggest_excludes(judged) == [("russian dressing", 2)]


def test_a_credential_guards_every_page_but_health(seeded: Seeded, tmp_path: Any) -> None:
    import base64

    token_file = tmp_path / "token"
    token_file.write_text("s3cret-token-0123456789\n", encoding="utf-8")
    for client in make_client(seeded, credential=Credential.load(token_file)):
        assert client.get("/").status_code == 401
        assert client.get("/hits.atom").headers["www-authenticate"].startswith("Basic")
        assert client.get("/", headers={"Authorization": "Bearer nope"}).status_code == 401
        ok = {"Authorization": "Bearer s3cret-token-0123456789"}
        assert client.get("/", headers=ok).status_code == 200
    hash_file = tmp_path / "hash"
    hash_file.write_text(hash_password("correct horse battery", iterations=1000), encoding="utf-8")
    for client in make_client(seeded, credential=Credential.load(hash_file)):
        basic = base64.b64encode(b"analyst:correct horse battery").decode()
        assert client.get("/", headers={"Authorization": f"Basic {basic}"}).status_code == 200
        wrong = base64.b64encode(b"analyst:wrong").decode()
        assert client.get("/", headers={"Authorization": f"Basic {wrong}"}).status_code == 401


@pytest.mark.slow
def test_console_refuses_a_public_address_without_auth(tmp_path: Any) -> None:
    from tests.support.cli import wirewatch

    out = wirewatch("web", "--db", str(tmp_path / "w.db"), "--listen", "0.0.0.0:0")
    assert out.returncode == 1
    assert out.stderr.startswith("http.listen 0.0.0.0:0: the console would listen on 0.0.0.0,")
    assert "Traceback" not in out.stderr
    short = tmp_path / "short"
    short.write_text("abc", encoding="utf-8")
    out = wirewatch("web", "--db", str(tmp_path / "w.db"), "--auth-file", str(short))
    assert out.stderr.strip() == f"{short}: a token must be at least 16 characters"


@pytest.mark.slow
def test_mute_command_and_status(fresh: Seeded) -> None:
    from tests.support.cli import wirewatch

    path = fresh.target
    out = wirewatch(
        "mute",
        "watch",
        "russia-north-korea",
        "--for",
        "3h",
        "--reason",
        "summit",
        "--db",
        path,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("muted watch russia-north-korea until ")
    status = wirewatch("status", "--db", path)
    assert re.search(
        r"MUTED watch russia-north-korea until [\d-]+ [\d:]+ \(id 1\): summit", status.stdout
    )
    doc = json.loads(wirewatch("status", "--json", "--db", path).stdout)
    assert doc["mutes"][0]["target"] == "russia-north-korea"
    assert wirewatch("unmute", "1", "--db", path).returncode == 0
    store = open_store(path)
    assert store.mutes(NOW) == []
    store.close()
