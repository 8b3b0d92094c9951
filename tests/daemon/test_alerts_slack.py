"""The Slack channel against a loopback stand-in that enforces Slack's documented limits."""

from __future__ import annotations

import dataclasses
import json

import pytest

from daemon.alerts.channels.base import Alert
from daemon.alerts.channels.slack import SlackChannel, SlackSettings, alert_message, batch_message
from daemon.alerts.worker import deliver_due
from rules.model import Evidence, Mention
from store import Planned, open_store
from store.model import StoredHit
from tests.support.alerts import article, hit, quick, record
from tests.support.clock import T0, Clock
from tests.support.servers import RecordingServer
from tests.support.slackpeer import SlackPeer

pytestmark = pytest.mark.anyio


def bot(srv: RecordingServer, monkeypatch: pytest.MonkeyPatch) -> SlackChannel:
    monkeypatch.setenv("SLACK_TOKEN", "xoxb-test-token-123")
    settings = SlackSettings.model_validate(
        {"token_env": "SLACK_TOKEN", "channel": "C0123", "api_url": f"{srv.url}/api"}
    )
    return SlackChannel("slack", settings)


async def test_burst_is_folded_updates_thread_and_nothing_is_lost(
    tmp_path, http_server: RecordingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    peer = SlackPeer(http_server, extra_429=1).install()
    store = open_store(tmp_path / "w.db")
    record(store, 60, ["slack"])
    first = store.outbox(limit=100)[-1].id
    for i in range(60, 63):
        a = article(i)
        store.record_planned(a, [(hit(a.id), [Planned("slack", "update", first)])], Clock()())
    ch = bot(http_server, monkeypatch)
    clock = Clock()
    for _ in range(10):
        await deliver_due(store, {"slack": ch}, clock, policy=quick(0, 1, 1, 1, 1, 1, 1))
        if store.status_counts() == {"sent": 63}:
            break
        clock.tick(seconds=2)
    assert store.status_counts() == {"sent": 63}
    assert peer.violations == []
    assert peer.ratelimited >= 1  # the stand-in said 429 and the channel came back later
    text = json.dumps(peer.messages)
    for i in range(63):
        assert f"https://news.example.org/{i}|" in text
    folded = [m for m in peer.messages if "thread_ts" not in m]
    # 60 alerts in a handful of messages (claims of 50, folds of up to 20), not 60
    assert len(folded) <= 4
    assert folded[0]["blocks"][0]["text"]["text"].startswith("20 new articles for ")
    assert not any("more (see" in json.dumps(m) for m in folded)  # nothing left out
    replies = [m for m in peer.messages if "thread_ts" in m]
    assert [m["thread_ts"] for m in replies] == [folded[0]["ts"]] * 3
    await ch.aclose()


async def test_incoming_webhook_posts_one_message(http_server: RecordingServer, tmp_path) -> None:
    peer = SlackPeer(http_server).install()
    settings = SlackSettings.model_validate(
        {"webhook_url": f"{http_server.url}/services/T0/B0/hook"}
    )
    ch = SlackChannel("slack", settings)
    store = open_store(tmp_path / "w.db")
    record(store, 1, ["slack"])
    assert await deliver_due(store, {"slack": ch}, Clock()) == 1
    [msg] = peer.messages
    assert msg["blocks"][0]["text"]["text"] == "Russia and North Korea together [high]"
    await ch.aclose()


def test_message_escapes_mrkdwn_bolds_names_and_keeps_limits() -> None:
    a = article(1, title="T" * 400)
    h = hit(a.id)

    long_text = "Kreml <b>&" + " x" * 4000
    ev = Evidence(long_text, 0, len(long_text), ("RUS",), (Mention("RUS", "Kreml", 0, 5),))
    stored = StoredHit(
        id=1,
        watch_id=h.watch_id,
        title="W" * 300,
        severity="high",
        article_id=a.id,
        article_title=a.title,
        article_url=a.url,
        feed_url=a.feed_url,
        feed_title="Q&A <News>",
        lang="de",
        published_at=None,
        created_at=T0,
        evidence=(ev,),
        condition="",
        rule_file="",
        rule_version="",
    )
    alert = Alert("msg_1", "slack", stored, 1)
    msg = alert_message(alert)
    assert len(msg["blocks"][0]["text"]["text"]) <= 150
    sections = [b["text"]["text"] for b in msg["blocks"] if b["type"] == "section"]
    assert all(len(t) <= 3000 for t in sections)
    assert sections[1].startswith("> *Kreml* &lt;b&gt;&amp;")
    assert "Q&amp;A &lt;News&gt; · de" in sections[0]
    many = batch_message([dataclasses.replace(alert, id=f"m{i}") for i in range(80)], digest=True)
    assert len(many["blocks"]) <= 50
    texts = [b["text"]["text"] for b in many["blocks"] if "text" in b]
    assert sum(map(len, texts)) <= 12000
    shown = len(many["blocks"]) - 2
    assert many["blocks"][-1]["elements"][0]["text"].startswith(f"+{80 - shown} more")


async def test_a_refused_token_is_a_dead_letter_at_once(
    tmp_path, http_server: RecordingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    SlackPeer(http_server, token="xoxb-the-right-one").install()
    store = open_store(tmp_path / "w.db")
    record(store, 1, ["slack"])
    ch = bot(http_server, monkeypatch)
    assert await deliver_due(store, {"slack": ch}, Clock()) == 0
    [job] = store.outbox()
    assert (job.status, job.last_error) == ("dead", "slack: invalid_auth")
    await ch.aclose()


def test_settings_need_exactly_one_way_in() -> None:
    with pytest.raises(ValueError, match=r"give either webhook_url\(_env/_file\) or token"):
        SlackSettings.model_validate({"token_env": "T", "webhook_url_env": "U"})
    with pytest.raises(ValueError, match="a bot token needs `channel`"):
        SlackSettings.model_validate({"token_env": "T"})
