"""Once per story: near-duplicates, cooldown, backfill on a feed's first poll, escalation."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from daemon.alerts.stories import EscalationConfig, Stories, backfill_split, distance, fingerprint
from daemon.config import load_config
from daemon.runtime.service import Service
from rules.errors import RuleFileErrors
from store import open_store
from tests.conftest import SEED_ARTICLE, SEEDS
from tests.support.alerts import article, hit
from tests.support.clock import T0, Clock
from tests.support.feeds import Item
from tests.support.feeds import rss as feed
from tests.support.servers import RecordingServer, Reply, static_feed

pytestmark = pytest.mark.anyio
SEED = SEED_ARTICLE.read_text(encoding="utf-8")
OTHER = (
    "Das Wetter in Norddeutschland bleibt auch am Wochenende wechselhaft. Nach Angaben des "
    "Deutschen Wetterdienstes ziehen von der Nordsee immer wieder Schauer heran, örtlich "
    "sind Gewitter mit Sturmböen möglich. Die Temperaturen erreichen tagsüber 18 bis 22 "
    "Grad, in der Nacht kühlt es auf 10 Grad ab. Erst zur Wochenmitte setzt sich von "
    "Westen her ein Hoch durch, und es wird sonniger und wärmer."
)


def edited(text: str) -> str:
    """A syndicated copy: another outlet's intro sentence, case and spacing changes, a cut."""
    paras = text.splitlines()
    return "\n".join(["MOSKAU/PJÖNGJANG (dpa) –  Eilmeldung.", *paras[:-1]]).replace(
        "Telefonat", "telefonat"
    )


def test_near_duplicates_are_close_and_other_stories_far() -> None:
    a = fingerprint("Putin und Kim bekräftigen Partnerschaft", SEED)
    b = fingerprint("Kim und Putin: Partnerschaft bekräftigt", edited(SEED))
    c = fingerprint("Wetter", OTHER)
    assert distance(a, b) <= 12  # the default max_distance
    assert distance(a, c) > 16
    assert fingerprint("X", SEED) == fingerprint("x", "  " + SEED.upper())


def test_backfill_keeps_the_newest_n() -> None:
    items = [article(i) for i in range(5)]
    dated = [replace(a, published_at=T0 + timedelta(hours=i)) for i, a in enumerate(items)]
    match, seen = backfill_split(dated, 2)
    assert [a.id for a in match] == ["a3", "a4"] and len(seen) == 3
    assert backfill_split(dated, "all") == (dated, [])
    assert backfill_split(items, 1)[0] == [items[0]]  # undated: feed order, first is newest


def rss(items: list[tuple[str, str, int, str]]) -> bytes:
    news = "https://news.example.org/"
    return feed(
        *(
            Item(g, t, text, news + g, T0 + timedelta(minutes=m), cdata=True)
            for g, t, m, text in items
        ),
        title="t",
        link=news,
        lang="de",
    )


def config(tmp_path: Path, srv: RecordingServer, store: str, extra: str = "") -> Path:
    cfg = tmp_path / "wirewatch.yaml"
    cfg.write_text(
        f"""store: {json.dumps(store)}
rules: [{SEEDS.parent / "rules" / "watches"}]
feeds:
  - {{url: "{srv.url}/a.xml", backfill: 2}}
  - {{url: "{srv.url}/b.xml"}}
channels:
  hook: {{type: webhook, url: "{srv.url}/hook"}}
{extra}""",
        encoding="utf-8",
    )
    return cfg


async def test_one_alert_per_story_across_feeds_then_updates(
    tmp_path: Path, http_server: RecordingServer, store_target: str
) -> None:
    paras = SEED.splitlines()
    old = [(f"old{i}", f"Älterer Bericht {i}", i, SEED) for i in range(4)]
    http_server.routes["/a.xml"] = static_feed(rss([*old, ("new", "Neu", 10, OTHER)]), '"1"')
    http_server.routes["/b.xml"] = static_feed(rss([]), '"1"')
    http_server.routes["/hook"] = lambda req: Reply(204)
    clock = Clock()
    service = Service(load_config(config(tmp_path, http_server, store_target)), now=clock)
    await service.run_once()
    # first poll of a.xml: only the 2 newest are matched (old3 and the weather report)
    assert [h.article_id for h in service.store.hits()] == [service.store.hits()[0].article_id]
    assert service.store.counts()["articles"] == 5  # the older three are marked as seen
    clock.tick(minutes=30)
    http_server.routes["/b.xml"] = static_feed(
        rss(
            [("b1", "Kim und Putin", 20, edited(SEED)), ("b2", "Nochmal", 21, "\n".join(paras[1:]))]
        ),
        '"2"',
    )
    await service.run_once()
    bodies = [json.loads(r.body) for r in http_server.requests if r.path == "/hook"]
    assert [b["type"] for b in bodies] == ["wirewatch.hit", "wirewatch.update", "wirewatch.update"]
    assert {b["story"]["first_alert_id"] for b in bodies[1:]} == {bodies[0]["id"]}
    assert len({b["story"]["id"] for b in bodies}) == 1
    # after the cooldown (default 6h) the same story alerts again
    clock.tick(hours=7)
    http_server.routes["/b.xml"] = static_feed(rss([("b3", "Später", 500, SEED)]), '"3"')
    await service.run_once()
    bodies = [json.loads(r.body) for r in http_server.requests if r.path == "/hook"]
    assert bodies[-1]["type"] == "wirewatch.hit"
    await service.aclose()


def test_a_burst_far_above_the_baseline_escalates_once(store_target: str) -> None:
    store = open_store(store_target)
    cfg = EscalationConfig.model_validate(
        {"window": "1h", "baseline": "7d", "factor": 5, "min_hits": 5}
    )
    stories = Stories(store, {}, dict, escalation=cfg)
    clock = Clock()
    texts = [f"Bericht Nummer {i} über ein ganz anderes Thema, Folge {i * 7919}" for i in range(20)]
    for day in range(7):  # one hit a day: the baseline
        a = article(100 + day, text=texts[day])
        stories.record(a, [(hit(a.id, severity="medium"), ["hook"])], clock.at)
        clock.tick(days=1)
    for i in range(8):  # eight within an hour
        a = article(i, text=texts[7 + i])
        stories.record(a, [(hit(a.id, severity="medium"), ["hook"])], clock.at)
        clock.tick(minutes=5)
    kinds = [j.kind for j in store.outbox(limit=100)]
    assert kinds.count("escalation") == 1
    assert store.last_escalation("russia-north-korea") == T0 + timedelta(days=7, minutes=20)
    store.close()


async def test_a_new_watch_does_not_alert_on_old_articles(
    tmp_path: Path, http_server: RecordingServer, store_target: str
) -> None:
    http_server.routes["/a.xml"] = static_feed((SEEDS / "feed.xml").read_bytes(), '"1"')
    http_server.routes["/b.xml"] = static_feed(rss([]), '"1"')
    http_server.routes["/hook"] = lambda req: Reply(204)
    empty = tmp_path / "rules"
    empty.mkdir()
    (empty / "none.yaml").write_text("watches: []\n")
    cfg = (
        config(tmp_path, http_server, store_target)
        .read_text()
        .replace(str(SEEDS.parent / "rules" / "watches"), str(empty))
    )
    (tmp_path / "wirewatch.yaml").write_text(cfg)
    clock = Clock()
    before = Service(load_config(tmp_path / "wirewatch.yaml"), now=clock)
    await before.run_once()
    await before.aclose()
    # the watch is added; the feed changes but still carries the same items
    config(tmp_path, http_server, store_target)
    http_server.routes["/a.xml"] = static_feed(
        (SEEDS / "feed.xml").read_bytes().replace(b"seed feed", b"seed feed v2"), '"2"'
    )
    clock.tick(hours=1)
    after = Service(load_config(tmp_path / "wirewatch.yaml"), now=clock)
    reports = await after.run_once()
    assert sum(r.hits for r in reports) == 0
    assert after.store.hits() == []
    assert [r for r in http_server.requests if r.path == "/hook"] == []
    await after.aclose()


def test_a_bad_digest_names_file_line_and_channel(tmp_path: Path) -> None:
    cfg = tmp_path / "wirewatch.yaml"
    cfg.write_text(
        "channels:\n  desk:\n    type: console\n    digest: daily 8am\n"
        "    timezone: Europe/Berlim\n"
    )
    with pytest.raises(RuleFileErrors) as e:
        load_config(cfg)
    assert str(e.value).splitlines() == [
        f"{cfg}:4:13: channel 'desk': digest: 'daily 8am' is not a digest schedule; "
        "use 'hourly' or 'daily at HH:MM'",
        f"{cfg}:5:15: channel 'desk': timezone: unknown time zone 'Europe/Berlim' "
        "(use an IANA name)",
    ]
