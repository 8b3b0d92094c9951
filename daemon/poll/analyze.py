"""Parsing and matching off the event loop: in a thread, or in worker processes.

Both are CPU-bound (feedparser, spaCy); the event loop must stay free to keep
fetch deadlines. `ThreadAnalyzer` runs them in a thread (no parallelism under
the GIL, but the loop stays responsive); `ProcessAnalyzer` runs them in a pool
of worker processes, each with its own Engine built once from the rule files,
so a 2-core machine parses and matches on both cores.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from daemon.poll.parse import ParsedFeed, parse_feed
from rules.engine import Engine
from rules.load import load_rules
from rules.model import Article, Hit

Matched = list[tuple[Article, tuple[Hit, ...]]]


@dataclass(frozen=True, slots=True)
class Analysis:
    """Matched articles, and those whose matching failed (article, reason): one bad
    article is skipped, never the batch."""

    matched: Matched = field(default_factory=list)
    skipped: list[tuple[Article, str]] = field(default_factory=list)


class Analyzer(Protocol):
    """Parses feed bytes and matches articles without blocking the loop."""

    async def parse(
        self, body: bytes, feed_url: str, headers: dict[str, str], lang: str | None
    ) -> ParsedFeed: ...

    async def match(self, articles: Sequence[Article]) -> Analysis: ...

    def close(self) -> None: ...


def match_articles(engine: Engine, articles: Sequence[Article]) -> Analysis:
    """Match each article (pure); an article that fails is skipped with its reason."""
    out = Analysis()
    for a in articles:
        try:
            result = engine.match(a.text, lang=a.lang, article_id=a.id, source=a.feed_url)
        except Exception as e:  # one item's failure stays that item's
            out.skipped.append((a, f"match: {type(e).__name__}: {str(e)[:200]}"))
            continue
        out.matched.append((a, result.hits))
    return out


class ThreadAnalyzer:
    """Parse in worker threads; match in one thread of its own.

    The Engine (spaCy vocab and matchers) is not safe to use from several
    threads at once, so matching is serialised on a single thread.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.matcher = ThreadPoolExecutor(1, thread_name_prefix="match")

    async def parse(
        self, body: bytes, feed_url: str, headers: dict[str, str], lang: str | None
    ) -> ParsedFeed:
        return await asyncio.to_thread(parse_feed, body, feed_url, headers, lang)

    async def match(self, articles: Sequence[Article]) -> Analysis:
        if not articles:
            return Analysis()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.matcher, match_articles, self.engine, articles)

    def close(self) -> None:
        self.matcher.shutdown(wait=True, cancel_futures=True)


_ENGINE: Engine | None = None


def _init_worker(rule_paths: tuple[Path, ...]) -> None:
    global _ENGINE
    _ENGINE = Engine(load_rules(rule_paths))


def _match_in_worker(articles: Sequence[Article]) -> Analysis:
    assert _ENGINE is not None, "worker not initialised"
    return match_articles(_ENGINE, articles)


class ProcessAnalyzer:
    """Parse and match in `workers` processes (spawned: no fork of a running loop)."""

    def __init__(self, rule_paths: Sequence[Path], workers: int) -> None:
        self.pool = ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(tuple(rule_paths),),
        )

    async def parse(
        self, body: bytes, feed_url: str, headers: dict[str, str], lang: str | None
    ) -> ParsedFeed:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.pool, parse_feed, body, feed_url, headers, lang)

    async def match(self, articles: Sequence[Article]) -> Analysis:
        if not articles:
            return Analysis()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.pool, _match_in_worker, list(articles))

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
