"""The store's contract, run against SQLite and PostgreSQL alike (tests/store/conftest.py).

Migrations, the one-transaction write, the outbox, feeds and their leases, and
what several daemons on one database rely on: leases that never overlap, unique
keys, claims that skip each other.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.model import Article, Evidence, Hit, Mention
from store import StoreAPI, open_store
from store.codec import evidence_from_json, evidence_json
from store.migrations import MIGRATIONS
from store.model import Lease, PollOutcome

NOW = datetime(2026, 8, 13, 6, 30, tzinfo=UTC)


def article(n: int = 1) -> Article:
    return Article(
        id=f"a{n}",
        feed_url="http://127.0.0.1/feed.xml",
        url=f"https://x.example/{n}",
        title=f"Title {n}",
        text=f"Title {n}\n\nPutin und Kim.",
        lang="de",
        published_at=NOW - timedelta(hours=1),
    )


def hit(article_id: str = "a1", watch: str = "russia-north-korea") -> Hit:
    ev = Evidence(
        "Putin und Kim.",
        11,
        25,
        ("PRK", "RUS"),
        (Mention("RUS", "Putin", 11, 16), Mention("PRK", "Kim", 21, 24)),
    )
    return Hit(
        watch,
        article_id,
        (ev,),
        severity="high",
        title="RU+KP",
        rule_file="w.yaml",
        rule_version="1",
        condition="all of RUS, PRK in one sentence",
    )


def test_open_migrates_once_with_the_same_steps(open_store: Callable[[], StoreAPI]) -> None:
    open_store().close()
    again = open_store()
    names = [r["name"] for r in again.db.query("SELECT name FROM _migrations ORDER BY name")]
    assert names == [m.name for m in MIGRATIONS]


def test_both_backends_have_the_same_columns(store: StoreAPI) -> None:
    sqlite = open_store(":memory:")
    tables = ("feeds", "articles", "hits", "deliveries", "stories", "destinations")
    for table in (*tables, "verdicts", "mutes"):
        query = f"SELECT * FROM {table} LIMIT 0"
        want = [d[0] for d in sqlite.db.execute(query).description]
        assert [d[0] for d in store.db.execute(query).description] == want
    sqlite.close()


def test_article_hits_and_deliveries_are_written_together(store: StoreAPI) -> None:
    ids = store.record_article(article(), [(hit(), ["console", "hook"])], NOW)
    assert len(ids) == 2
    [stored] = store.hits()
    assert stored.watch_id == "russia-north-korea"
    assert stored.evidence == hit().evidence
    assert stored.article_title == "Title 1"
    # The same article again adds nothing.
    assert store.record_article(article(), [(hit(), ["console"])], NOW) == []
    assert store.counts() == {"feeds": 0, "articles": 1, "hits": 1, "pending": 2}


def test_a_failing_write_leaves_nothing_behind(store: StoreAPI) -> None:
    # Two hits of the same watch on one article break a unique key half way through.
    with pytest.raises((sqlite3.IntegrityError, psycopg.IntegrityError)):
        store.record_article(article(), [(hit(), ["console"]), (hit(), ["console"])], NOW)
    assert store.counts() == {"feeds": 0, "articles": 0, "hits": 0, "pending": 0}


def test_outbox_claims_leases_and_retries(store: StoreAPI) -> None:
    store.record_article(article(), [(hit(), ["hook"])], NOW)
    [job] = store.claim_deliveries(NOW)
    assert job.channel == "hook" and job.idempotency_key.startswith("msg_")
    assert store.claim_deliveries(NOW) == []  # leased
    assert len(store.claim_deliveries(NOW + timedelta(minutes=3))) == 1  # lease expired
    store.mark_failed(job.id, "HTTP 500", NOW + timedelta(seconds=5))
    assert store.claim_deliveries(NOW + timedelta(seconds=1)) == []
    [again] = store.claim_deliveries(NOW + timedelta(seconds=6))
    assert again.idempotency_key == job.idempotency_key and again.attempts == 1
    store.mark_sent(again.id, NOW + timedelta(seconds=6))
    assert [d.status for d in store.deliveries()] == ["sent"]


def test_dead_letters_are_kept(store: StoreAPI) -> None:
    store.record_article(article(), [(hit(), ["hook"])], NOW)
    [job] = store.claim_deliveries(NOW)
    store.mark_failed(job.id, "HTTP 400", None)
    [dead] = store.deliveries("dead")
    assert dead.last_error == "HTTP 400"


names = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20)


@settings(max_examples=50)
@given(st.lists(st.tuples(names, st.integers(0, 10_000)), max_size=5), names)
def test_evidence_round_trips(mentions: list[tuple[str, int]], text: str) -> None:
    ev = (
        Evidence(
            text,
            0,
            len(text),
            ("RUS",),
            tuple(Mention("RUS", n, s, s + len(n)) for n, s in mentions),
            ("troops",),
        ),
    )
    assert evidence_from_json(evidence_json(ev)) == ev


def test_articles_since_round_trips_and_filters_on_fetch_time(store: StoreAPI) -> None:
    old = Article("old", "file:///f.xml", "https://x.example/old", "Old", "Putin.", lang="de")
    new = Article(
        "new",
        "file:///f.xml",
        "https://x.example/new",
        "New",
        "Putin und Kim.",
        published_at=NOW - timedelta(hours=3),
        lang="de",
        guid="g-new",
        feed_title="Feed",
    )
    store.record_article(old, [], NOW - timedelta(days=10))
    store.record_article(new, [], NOW)
    assert list(store.articles_since(NOW - timedelta(days=1))) == [new]
    assert [a.id for a in store.articles_since(NOW - timedelta(days=30))] == ["old", "new"]
    assert list(store.articles_since(NOW + timedelta(seconds=1))) == []


# -- feeds, their schedule and leases -----------------------------------------


def feeds(store: StoreAPI, n: int) -> list[str]:
    urls = [f"http://127.0.0.1/f{i:04d}.xml" for i in range(n)]
    store.sync_feeds(((u, 60) for u in urls), NOW)
    return urls


def polled(url: str, at: datetime) -> PollOutcome:
    return PollOutcome(at=at, ok=True, next_poll_at=at + timedelta(minutes=1), new_items=1)


def test_sync_feeds_schedules_and_removes(store: StoreAPI) -> None:
    urls = feeds(store, 3)
    assert [f.url for f in store.due_feeds(NOW)] == urls
    store.sync_feeds([(urls[0], 30)], NOW)
    assert [(f.url, f.interval_s) for f in store.feeds(active=True)] == [(urls[0], 30)]
    assert {f.status for f in store.feeds()} == {"new", "removed"}
    store.sync_feeds([], NOW)
    assert store.feeds(active=True) == []


def test_record_poll_moves_the_schedule_and_counts_errors(store: StoreAPI) -> None:
    [url] = feeds(store, 1)
    store.record_poll(url, polled(url, NOW))
    assert store.due_feeds(NOW + timedelta(seconds=59)) == []
    assert [f.url for f in store.due_feeds(NOW + timedelta(minutes=1))] == [url]
    fail = PollOutcome(
        at=NOW, ok=False, next_poll_at=NOW, error_class="http", error="HTTP 500", status=""
    )
    store.record_poll(url, fail)
    store.record_poll(url, fail)
    feed = store.feed(url)
    assert feed is not None and feed.status == "failing" and feed.error_count == 2
    assert feed.error_since == NOW and feed.errors_total == 2
    assert store.stats().feeds == {("failing", "http"): 1}


def test_a_leased_feed_is_not_due_until_polled_or_expired(store: StoreAPI) -> None:
    urls = feeds(store, 4)
    a, b = Lease("a", NOW + timedelta(seconds=30)), Lease("b", NOW + timedelta(seconds=60))
    first = store.due_feeds(NOW, 3, lease=a)
    assert [f.url for f in first] == urls[:3]
    assert [f.url for f in store.due_feeds(NOW, 10, lease=b)] == urls[3:]
    assert store.due_feeds(NOW, 10, lease=b) == []
    store.record_poll(urls[0], polled(urls[0], NOW))  # polled: lease ended, next poll later
    # a dies: its two other feeds pass to b once the lease has expired
    assert store.due_feeds(NOW + timedelta(seconds=29), 10, lease=b) == []
    later = NOW + timedelta(seconds=31)
    again = Lease("b", later + timedelta(seconds=60))
    assert [f.url for f in store.due_feeds(later, 10, lease=again)] == urls[1:3]


def test_release_feeds_hands_back_an_owners_leases(store: StoreAPI) -> None:
    urls = feeds(store, 2)
    store.due_feeds(NOW, lease=Lease("a", NOW + timedelta(minutes=5)))
    assert store.release_feeds("b") == 0
    assert store.release_feeds("a") == 2
    assert [f.url for f in store.due_feeds(NOW, lease=Lease("b", NOW))] == urls


def test_daemons_taking_feeds_at_once_never_take_the_same(
    open_store: Callable[[], StoreAPI],
) -> None:
    stores = [open_store() for _ in range(4)]
    feeds(stores[0], 400)

    def take(s: StoreAPI) -> list[str]:
        got: list[str] = []
        lease = Lease(s.owner, NOW + timedelta(minutes=1))
        while batch := s.due_feeds(NOW, 7, lease=lease):
            got += [f.url for f in batch]
        return got

    with ThreadPoolExecutor(len(stores)) as pool:
        taken = [url for urls in pool.map(take, stores) for url in urls]
    assert len(taken) == len(set(taken)) == 400


def test_two_daemons_never_lease_the_same_feed(open_store: Callable[[], StoreAPI]) -> None:
    one, two = open_store(), open_store()
    feeds(one, 200)
    taken: list[str] = []
    for i in range(20):  # interleaved batches, each from its own connection
        s = (one, two)[i % 2]
        taken += [f.url for f in s.due_feeds(NOW, 15, lease=Lease(str(i), NOW + timedelta(1)))]
    assert len(taken) == len(set(taken)) == 200


# -- several writers: unique keys and claims ------------------------------------


def test_the_same_article_from_two_daemons_is_stored_once(
    open_store: Callable[[], StoreAPI],
) -> None:
    one, two = open_store(), open_store()
    assert len(one.record_article(article(), [(hit(), ["hook"])], NOW)) == 1
    assert two.record_article(article(), [(hit(), ["hook"])], NOW) == []
    assert two.counts() == {"feeds": 0, "articles": 1, "hits": 1, "pending": 1}


def test_claims_from_two_daemons_never_overlap(open_store: Callable[[], StoreAPI]) -> None:
    # One channel per delivery: a channel's later alerts would wait for its claimed ones.
    one, two = open_store(), open_store()
    for n in range(10):
        one.record_article(article(n), [(hit(f"a{n}"), [f"hook{n}"])], NOW)
    first = one.claim_due(NOW, limit=4)
    second = two.claim_due(NOW, limit=50)
    ids = [j.id for j in first + second]
    assert len(ids) == len(set(ids)) == 10
    assert two.claim_due(NOW) == [] and one.claim_due(NOW) == []


def test_story_lock_nests_the_recording_write(store: StoreAPI) -> None:
    with store.story_lock():
        assert store.story_candidates(NOW - timedelta(hours=1)) == []
        rec = store.record_planned(article(), [], NOW, fingerprint=(1 << 64) - 5)
    assert store.story_candidates(NOW - timedelta(hours=1)) == [(rec.story_id, (1 << 64) - 5)]


# -- housekeeping ---------------------------------------------------------------


def test_retention_keeps_what_hits_show(store: StoreAPI) -> None:
    store.record_article(article(1), [(hit("a1"), ["hook"])], NOW - timedelta(days=40))
    store.record_article(article(2), [], NOW - timedelta(days=40))
    store.record_article(article(3), [], NOW)
    pruned = store.prune_articles(NOW - timedelta(days=30))
    assert (pruned.deleted, pruned.emptied) == (1, 1)
    assert store.counts()["articles"] == 2 and store.hits()[0].article_id == "a1"


def test_dead_letters_retry_and_destinations(store: StoreAPI) -> None:
    store.record_article(article(), [(hit(), ["hook"])], NOW)
    [job] = store.claim_due(NOW)
    store.mark_failed(job.id, "HTTP 410", None)
    store.disable_destination("hook", "410 Gone", NOW)
    assert [d.channel for d in store.destinations()] == ["hook"]
    assert store.status_counts() == {"dead": 1}
    assert store.retry_dead(None, NOW) == 1
    assert store.destinations() == []
    [again] = store.claim_due(NOW)
    store.mark_sent_many([again.id], NOW, "ref-1")
    assert store.release_claims(NOW) == 0
    stats = store.stats()
    assert stats.deliveries == {("hook", "sent"): 1} and stats.hits_by_watch
    watermark, sent = store.sent_since("")
    assert sent == [("hook", 0.0)] and watermark


def test_known_links_and_notices(store: StoreAPI) -> None:
    store.record_article(article(), [], NOW)
    store.set_canonical_links([("a1", "https://x.example/1")])
    feed = "http://127.0.0.1/feed.xml"
    assert store.known_links(feed, ["https://x.example/1", "https://x.example/2"]) == {
        "https://x.example/1"
    }
    ids = store.record_notice(feed, title="failing", text="HTTP 500", channels=["ops"], now=NOW)
    assert len(ids) == 1 and store.outbox(channel="ops")[0].hit.watch_id.startswith("wirewatch:")
