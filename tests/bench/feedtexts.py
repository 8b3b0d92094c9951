"""Real feed text for the matching benchmarks, read from the corpus in place.

The corpus (WIREWATCH_CORPUS_DIR, the feeds CI fetches) is parsed with the
daemon's own parser; the items of each feed are joined, in feed order, into
texts of about `size` characters (one language per text, as a feed has one).
A text is *relevant* when it names Russia or North Korea in one of the
corpus's languages (a plain keyword check, independent of the engine). The
stream repeats texts when the corpus has too few of a kind; nothing is copied
into the project.
"""

from __future__ import annotations

import os
import random
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_RELEVANT = re.compile(
    r"\b(russia|russian|putin|kremlin|moscow|north korea|pyongyang|kim jong|russland|"
    r"russisch|russie|russe|rusia|ruso|rússia|russo|россия|росси|путин|"
    r"روسيا|روس|북한|러시아|ロシア|北朝鮮|俄罗斯|朝鲜)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class FeedText:
    """One text made of consecutive items of one feed."""

    text: str
    lang: str | None  # as the feed declares it
    relevant: bool


def corpus_dir() -> Path:
    """Where CI keeps the feed corpus."""
    return Path(os.environ.get("WIREWATCH_CORPUS_DIR", ROOT.parent / "shared/corpus/feeds"))


def feed_texts(size: int = 3000) -> list[FeedText]:
    """Every feed's items joined into texts of about `size` characters."""
    from daemon.poll.parse import ParseError, parse_feed

    out: list[FeedText] = []
    for path in sorted(corpus_dir().rglob("*")):
        if path.suffix.lower() not in (".xml", ".rss", ".atom", ".json", ".rdf"):
            continue
        try:
            feed = parse_feed(path.read_bytes(), path.as_uri())
        except (ParseError, OSError, ValueError):
            continue
        chunk: list[str] = []
        for a in feed.articles:
            body = "\n\n".join(p for p in (a.title, a.text) if p)
            if len(body) < 80:
                continue
            chunk.append(body)
            if sum(map(len, chunk)) >= size:
                out.append(_text(chunk, size, feed.lang))
                chunk = []
        if sum(map(len, chunk)) >= size // 2:
            out.append(_text(chunk, size, feed.lang))
    return out


def _text(chunk: list[str], size: int, lang: str | None) -> FeedText:
    text = "\n\n".join(chunk)[: size * 2]
    code = (lang or "").split("-")[0].lower() or None
    return FeedText(text, code, bool(_RELEVANT.search(text)))


def stream(n: int = 2000, relevant_share: float = 0.1, seed: int = 5) -> list[FeedText]:
    """`n` texts, `relevant_share` of them relevant, shuffled (texts repeat if needed)."""
    texts = feed_texts()
    rel = [t for t in texts if t.relevant]
    other = [t for t in texts if not t.relevant]
    rng = random.Random(seed)
    n_rel = round(n * relevant_share)
    picked = _cycle(rel, n_rel, rng) + _cycle(other, n - n_rel, rng)
    rng.shuffle(picked)
    return picked


def _cycle(items: list[FeedText], n: int, rng: random.Random) -> list[FeedText]:
    out: list[FeedText] = []
    while items and len(out) < n:
        out += rng.sample(items, min(len(items), n - len(out)))
    return out
