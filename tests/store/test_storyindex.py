"""The story index's contract (store/storyindex.py), on SQLite and PostgreSQL alike.

An article's event parts are indexed under its story with the publication
times they span; a later article finds the stories that share its rare parts
in its window, with each part's df and the stories' N; how each article
joined is read back for `wirewatch stories`.
"""

from __future__ import annotations

from datetime import timedelta

from rules.model import Article
from store import StoreAPI, StoryJoin
from tests.store.test_contract import NOW

WINDOW = timedelta(days=3)
FP = (1 << 64) - 5  # a SimHash with the top bit set: stored signed, read back unsigned


def report(n: int, hours_ago: float, lang: str = "en") -> Article:
    return Article(
        id=f"r{n}",
        feed_url=f"http://127.0.0.1/{lang}.xml",
        url=f"https://x.example/{n}",
        title=f"Report {n}",
        text="Prisoner swap in Ankara.",
        lang=lang,
        published_at=NOW - timedelta(hours=hours_ago),
        feed_title=f"news {lang}",
    )


def first_report(store: StoreAPI) -> int:
    a = report(1, 10)
    assert a.published_at is not None
    parts = ["a:RUS", "a:USA", "p:ankara", "n:gershkovich", "c:swap", "h:0:beef"]
    rec = store.record_planned(
        a, [], NOW, fingerprint=FP, join=StoryJoin(parts, a.published_at, "new")
    )
    assert rec.story_id is not None
    return rec.story_id


def test_a_later_report_finds_the_story_by_its_rare_parts(store: StoreAPI) -> None:
    story = first_report(store)
    near = store.story_neighbours(
        ["a:RUS", "p:ankara", "n:gershkovich", "q:24"], NOW - timedelta(hours=2), WINDOW
    )
    assert near.stories == 1
    assert near.df == {"a:RUS": 1, "p:ankara": 1, "n:gershkovich": 1}
    assert sorted(near.shared[story]) == ["a:RUS", "n:gershkovich", "p:ankara"]
    assert near.fingerprints == {story: FP}


def test_actors_alone_and_stories_outside_the_window_find_nothing(store: StoreAPI) -> None:
    first_report(store)
    # Actors are in most stories: they never nominate a candidate.
    assert store.story_neighbours(["a:RUS", "a:USA"], NOW, WINDOW).shared == {}
    # A part counted on the window's first day, whose story was published before the
    # window began that day: its df counts it, but no story is a candidate.
    later = NOW - timedelta(hours=9) + WINDOW
    far = store.story_neighbours(["p:ankara"], later, WINDOW)
    assert far.df == {"p:ankara": 1}
    assert far.shared == {} and far.fingerprints == {}
    assert store.story_neighbours([], NOW, WINDOW).stories == 0


def test_a_joined_report_widens_the_story_and_says_why(store: StoreAPI) -> None:
    story = first_report(store)
    b = report(2, 60, "de")  # published 50 hours before the first report
    assert b.published_at is not None
    join = StoryJoin(
        ["a:RUS", "p:ankara", "n:gershkovich", "d:2026-08-10"],
        b.published_at,
        "event",
        8.25,
        [("n:gershkovich", 4.5), ("p:ankara", 3.75)],
        {"p:ankara": "Ankara", "n:gershkovich": "Gershkowitsch"},
    )
    rec = store.record_planned(b, [], NOW, fingerprint=1, story_id=story, join=join)
    assert rec.story_id == story

    # The story's parts now span back to the earlier report: found from further back.
    back = store.story_neighbours(["p:ankara"], NOW - timedelta(days=4), WINDOW)
    assert list(back.shared) == [story]
    assert back.stories == 1  # a join adds no story

    first, second = store.story_articles(story)
    assert (second.article_id, second.method) == ("r1", "new")
    assert (first.article_id, first.method, first.score) == ("r2", "event", 8.25)
    assert first.shared == [("n:gershkovich", 4.5, "Gershkowitsch"), ("p:ankara", 3.75, "Ankara")]
    assert (first.lang, first.outlet, first.published_at) == ("de", "news de", b.published_at)
    assert [a.story_id for a in store.story_articles(article_ids=["r2"])] == [story]
    assert store.story_articles(article_ids=[]) == []
    assert store.recent_stories() == [(story, 2, "Report 1")]
