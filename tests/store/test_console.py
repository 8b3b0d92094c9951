"""The console's table unit (store/console.py) on every backend: search, day filters,
charts by UTC day, verdicts and mutes, with times as aware UTC datetimes."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from store import HitFilter, Planned, StoreAPI
from tests.store.test_contract import NOW, article, hit


def _record(store: StoreAPI, n: int, at: datetime, title: str, lang: str = "de") -> int:
    a = replace(article(n), title=title, lang=lang)
    return store.record_planned(a, [(hit(a.id), [Planned("ops")])], at).hit_ids[hit(a.id).watch_id]


def test_hit_pages_search_and_filter_by_utc_day(store: StoreAPI) -> None:
    late = NOW.replace(hour=23, minute=59)  # the last minute of the day, UTC
    first = _record(store, 1, late, "Gipfel in Moskau")
    second = _record(store, 2, late + timedelta(minutes=2), "Raketen über Pjöngjang")
    assert [h["id"] for h in store.hit_page(HitFilter())] == [second, first]
    assert [h["id"] for h in store.hit_page(HitFilter(q="gipfel moskau"))] == [first]
    assert store.hit_page(HitFilter(q='gipfel "raketen')) == []  # every word, no operators
    day = f"{late:%Y-%m-%d}"
    assert [h["id"] for h in store.hit_page(HitFilter(since=day, until=day))] == [first]
    assert [h["id"] for h in store.hit_page(HitFilter(), before=second)] == [first]
    row = store.hit_detail(first)
    assert row is not None and row["created_at"] == late and row["verdict"] is None
    assert store.hits_per_day(NOW - timedelta(days=1)) == {
        "russia-north-korea": {day: 1, f"{late + timedelta(days=1):%Y-%m-%d}": 1}
    }
    assert store.actor_counts(NOW - timedelta(days=1))["PRK+RUS"][day] == 1


def test_searched_pages_go_on_below_before_and_keep_the_other_filters(store: StoreAPI) -> None:
    # On SQLite the full-text index drives a searched page (newest first, read until
    # the page is full): paging and the other filters must give what a plain page does.
    ids = [_record(store, n, NOW + timedelta(minutes=n), f"Gipfel Nummer {n}") for n in range(7)]
    _record(store, 9, NOW + timedelta(minutes=9), "Raketen")
    store.set_verdict(ids[4], "relevant", NOW)
    found = HitFilter(q="gipfel")
    assert [h["id"] for h in store.hit_page(found, limit=3)] == ids[:3:-1]
    assert [h["id"] for h in store.hit_page(found, limit=3, before=ids[4])] == ids[3:0:-1]
    assert [h["id"] for h in store.hit_page(found, before=ids[1])] == [ids[0]]
    assert [h["id"] for h in store.hit_page(replace(found, verdict="relevant"))] == [ids[4]]
    assert [h["title"] for h in store.hit_page(HitFilter(q="raketen"))] == ["Raketen"]


def test_a_search_gives_what_a_walk_of_every_hit_gives_on_every_page(store: StoreAPI) -> None:
    # PostgreSQL tests the words of the `recent` newest hits below `before` one by one,
    # and reads the older ones through hit_search's index when the page is not full: for
    # a common, a rare and an absent word, with another filter or not, every page, on
    # either side of the switch or across it, must be what one walk of every hit
    # (`recent` past the first hit) gives. SQLite's hit_fts has no switch.
    rare = {1, 4, 5, 9}
    titles = [f"Gipfel {'Selten' if n in rare else 'Treffen'}" for n in range(12)]
    ids = [_record(store, n, NOW + timedelta(minutes=n), t) for n, t in enumerate(titles)]
    judged = {ids[4], ids[9], ids[10]}
    for hit_id in judged:
        store.set_verdict(hit_id, "relevant", NOW)
    walk = len(ids) + 1
    for q in ("gipfel", "selten", "nirgendwo", "Selten GIPFEL", "treffen selten"):
        for f in (HitFilter(q=q), HitFilter(q=q, verdict="relevant")):
            words = set(q.lower().split())
            expected = [
                i
                for i, t in zip(ids[::-1], titles[::-1], strict=True)
                if words <= set(t.lower().split()) and (not f.verdict or i in judged)
            ]
            for limit, recent in itertools.product((1, 2, 3, 50), (1, 2, 3, 5)):
                got: list[int] = []
                before = None
                while True:
                    page = store.hit_page(f, limit=limit, before=before, recent=recent)
                    naive = store.hit_page(f, limit=limit, before=before, recent=walk)
                    assert page == naive, (f, limit, recent, before)
                    got += [h["id"] for h in page]
                    if len(page) < limit:
                        break
                    before = page[-1]["id"]
                assert got == expected, (f, limit, recent)


def test_a_filter_no_index_narrows_reads_a_window_of_hits_at_a_time(store: StoreAPI) -> None:
    ids = [_record(store, n, NOW + timedelta(minutes=n), f"Gipfel {n}") for n in range(9)]
    store.set_verdict(ids[1], "relevant", NOW)
    store.set_verdict(ids[7], "relevant", NOW)
    judged = HitFilter(verdict="relevant")
    assert store.hit_floor(HitFilter(q="gipfel 7", verdict="relevant"), None, 3) is None
    assert store.hit_floor(HitFilter(q="gipfel", watch="russia-north-korea"), None, 3) is None
    assert store.hit_floor(HitFilter(), None, 3) is None
    floor = store.hit_floor(judged, None, 3)
    assert floor == ids[-1] + 1 - 3  # the 3 newest hits
    assert [h["id"] for h in store.hit_page(judged, floor=floor)] == [ids[7]]
    older = store.hit_floor(judged, floor, 3)
    assert older == floor - 3
    assert store.hit_page(judged, before=floor, floor=older) == []  # nothing judged there
    rest = store.hit_page(judged, before=older, floor=store.hit_floor(judged, older, 3))
    assert [h["id"] for h in rest] == [ids[1]]
    assert store.hit_floor(judged, ids[1], 3) is None  # the window reaches the first hit


def test_a_search_with_a_filter_no_index_narrows_reads_a_window_at_a_time(
    store: StoreAPI,
) -> None:
    # A search with a language or verdict filter reads every hit with its words when
    # they have at most `window` hits below `before`, else the `window` hits below it:
    # paged as the web console pages (`older` from the floor when a window ends without
    # a full page), every page must be what a walk of every hit in the window gives,
    # and all of them together every hit the filter takes, for a common word (a window
    # of hits), a rare one (all its hits, or a window once they are more than `window`)
    # and an absent one, on either side of PostgreSQL's switch to its index (`recent`).
    rare = {1, 4, 5, 9, 10, 13}
    french = {2, 5, 10, 11}
    rows = [
        (f"Gipfel {'Selten' if n in rare else 'Treffen'} {n}", "fr" if n in french else "de")
        for n in range(15)
    ]
    ids = [_record(store, n, NOW + timedelta(minutes=n), *row) for n, row in enumerate(rows)]
    judged = {ids[3], ids[5], ids[13]}
    for hit_id in judged:
        store.set_verdict(hit_id, "relevant", NOW)
    newest = [(i, t, lang) for i, (t, lang) in zip(ids[::-1], rows[::-1], strict=True)]
    for q in ("gipfel", "selten", "nirgendwo", "selten gipfel"):
        for f in (
            HitFilter(q=q, lang="fr"),
            HitFilter(q=q, verdict="relevant"),
            HitFilter(q=q, lang="fr", verdict="none"),
        ):
            words = set(q.split())

            def takes(i: int, t: str, lang: str, f: HitFilter = f, words: set[str] = words) -> bool:
                verdict = "relevant" if i in judged else "none"
                return (
                    words <= set(t.lower().split())
                    and (not f.lang or lang == f.lang)
                    and (not f.verdict or verdict == f.verdict)
                )

            expected = [i for i, t, lang in newest if takes(i, t, lang)]
            for window, limit, recent in itertools.product((2, 3, 5, 50), (1, 2, 50), (1, 3)):
                got: list[int] = []
                before = None
                while True:
                    floor = store.hit_floor(f, before, window)
                    below = [r for r in newest if before is None or r[0] < before]
                    matches = [i for i, t, _ in below if words <= set(t.lower().split())]
                    if floor is not None:  # a window of hits, when the words have more
                        assert len(matches) > window and below[window - 1][0] == floor
                        below = [r for r in below if r[0] >= floor]
                    else:  # every hit with the words, or every hit, is few enough
                        assert len(matches) <= window or len(below) <= window
                    page = store.hit_page(f, limit=limit, before=before, floor=floor, recent=recent)
                    naive = [i for i, t, lang in below if takes(i, t, lang)][:limit]
                    assert [h["id"] for h in page] == naive, (f, window, limit, before)
                    got += naive
                    if len(page) == limit:
                        before = page[-1]["id"]
                    elif floor is not None:
                        before = floor  # `older →` from the window's floor
                    else:
                        break
                assert got == expected, (f, window, limit, recent)


def test_a_search_with_a_watch_day_or_story_gives_what_a_walk_of_every_hit_gives(
    store: StoreAPI,
) -> None:
    # A search with a watch, a day range or a story is read among that filter's hits
    # when they are at most `among` below the page, else through the search's index:
    # for a common, a rare and an absent word, either way and across the switch, every
    # page (paged by `before`) must be what a walk of every hit gives, newest first.
    rare = {1, 4, 5, 9, 12}
    stories: list[int] = []
    hits: list[tuple[int, str, str, int, str]] = []  # id, title, watch, story, day
    for n in range(15):
        at = NOW + timedelta(days=n // 5, minutes=n)
        a = replace(article(n), title=f"Gipfel {'Selten' if n in rare else 'Treffen'} {n}")
        watches = ["w1", "w2"] if n % 3 == 0 else [f"w{1 + n % 2}"]
        planned = [(hit(a.id, w), [Planned("ops")]) for w in watches]
        story = stories[n % 4] if n >= 4 else None  # four stories, the first four articles'
        recorded = store.record_planned(a, planned, at, story_id=story)
        if n < 4:
            stories.append(recorded.story_id)
        hits += [
            (i, a.title or "", w, stories[n % 4], f"{at:%Y-%m-%d}")
            for w, i in recorded.hit_ids.items()
        ]
    newest = sorted(hits, reverse=True)
    day = f"{NOW + timedelta(days=1):%Y-%m-%d}"
    for q in ("gipfel", "selten", "nirgendwo", "selten gipfel"):
        for f in (
            HitFilter(q=q, watch="w1"),
            HitFilter(q=q, watch="nope"),
            HitFilter(q=q, story=stories[1]),
            HitFilter(q=q, since=day, until=day),
            HitFilter(q=q, since=day),
            HitFilter(q=q, until=day, watch="w2"),
            HitFilter(q=q, story=stories[0], severity="low"),
        ):
            words = set(q.split())
            expected = [
                i
                for i, t, w, story, d in newest
                if words <= set(t.lower().split())
                and (not f.watch or w == f.watch)
                and (f.story is None or story == f.story)
                and (not f.since or d >= f.since)
                and (not f.until or d <= f.until)
                and not f.severity
            ]
            for among, limit in itertools.product((0, 1, 3, 100), (1, 2, 50)):
                got: list[int] = []
                before = None
                while True:
                    page = store.hit_page(f, limit=limit, before=before, among=among)
                    naive = [i for i in expected if before is None or i < before][:limit]
                    assert [h["id"] for h in page] == naive, (f, among, limit, before)
                    got += naive
                    if len(page) < limit:
                        break
                    before = page[-1]["id"]
                assert got == expected, (f, among, limit)


def test_verdicts_overwrite_and_count_per_watch(store: StoreAPI) -> None:
    one, two = _record(store, 1, NOW, "a"), _record(store, 2, NOW, "b")
    store.set_verdict(one, "irrelevant", NOW)
    store.set_verdict(one, "relevant", NOW + timedelta(minutes=1))
    store.set_verdict(two, "irrelevant", NOW)
    assert store.precision() == [{"watch_id": "russia-north-korea", "relevant": 1, "irrelevant": 1}]
    assert [h["id"] for h in store.hit_page(HitFilter(verdict="relevant"))] == [one]


def test_mutes_are_in_force_until_they_end(store: StoreAPI) -> None:
    store.add_mute("actor", "PRK", NOW + timedelta(hours=2), NOW, "summit")
    store.add_mute("watch", "w", NOW + timedelta(hours=1), NOW)
    [soon, later] = store.mutes(NOW)
    assert (soon.kind, later.target, later.reason) == ("watch", "PRK", "summit")
    assert later.until == datetime(2026, 8, 13, 8, 30, tzinfo=UTC) and later.created_at == NOW
    assert [m.kind for m in store.mutes(NOW + timedelta(hours=1))] == ["actor"]
    store.remove_mute(later.id)
    assert store.mutes(NOW) == [soon]
