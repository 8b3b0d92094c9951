"""Parsing and matching off the loop: concurrent polls must not share the Engine unsafely."""

from __future__ import annotations

import asyncio

from daemon.poll.analyze import ThreadAnalyzer
from rules.engine import Engine
from rules.load import load_rules
from rules.model import Article

TEXT = "Putin sprach mit Kim Jong Un. Moskau und Pjöngjang wollen enger zusammenarbeiten. "


def test_concurrent_matches_in_threads_agree_with_sequential_ones() -> None:
    engine = Engine(load_rules(shipped_watches=True))
    articles = [Article(f"a{i}", "f", "", "", TEXT * (1 + i % 5), lang="de") for i in range(40)]
    expected = [len(engine.match(a.text, lang="de").hits) for a in articles]
    analyzer = ThreadAnalyzer(engine)

    async def go() -> list[int]:
        batches = await asyncio.gather(*(analyzer.match([a]) for a in articles))
        return [len(hits) for ((_, hits),) in (b.matched for b in batches)]

    try:
        assert asyncio.run(go()) == expected
    finally:
        analyzer.close()
    assert sum(expected) == len(articles)  # the seed watch fires on every one
