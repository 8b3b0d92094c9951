"""The rule tester: what fires on a text and why, an edited rule file checked as
`check` would, its backtest over stored articles, and exclude phrases suggested by
the hits judged irrelevant. Rule files are only read; an edit is tried in a
temporary copy and never written back.
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Any

from rules.engine import Engine
from rules.errors import RuleFileErrors, RulesError
from rules.load import RuleSet, load_rules
from rules.model import Article, MatchResult

WORD = re.compile(r"\w+", re.UNICODE)


@dataclass
class Backtest:
    """Per day: articles looked at and hits; the articles fired on (newest last)."""

    articles: Counter[str] = field(default_factory=Counter)
    fires: Counter[str] = field(default_factory=Counter)
    fired: list[tuple[Article, str]] = field(default_factory=list)  # article, watch id


def try_rules(
    yaml_text: str, file_name: str, other_paths: Sequence[Path], cache_dir: Path | None
) -> tuple[RuleSet | None, list[str]]:
    """Load an edited rule file beside the other rule paths; errors as file:line:col."""
    name = Path(file_name).name or "rules.yaml"
    if not name.endswith((".yaml", ".yml")):
        name += ".yaml"
    with tempfile.TemporaryDirectory(prefix="wirewatch-tester-") as tmp:
        path = Path(tmp) / name
        path.write_text(yaml_text, encoding="utf-8")
        try:
            rules = load_rules([*other_paths, path], cache_dir=cache_dir)
        except RuleFileErrors as e:
            return None, [str(err).replace(f"{tmp}/", "") for err in e.errors]
        except RulesError as e:
            return None, [str(e).replace(f"{tmp}/", "")]
    only = tuple(w for w in rules.watches if Path(w.file).name == name)
    enabled = tuple(
        type(w)(w.spec.model_copy(update={"enabled": True}), name, w.version) for w in only
    )
    return RuleSet(rules.actors, enabled), []


def match_text(engine: Engine, text: str, lang: str | None) -> MatchResult:
    """Every actor named in `text` and the watches that fire."""
    return engine.match(text, lang=lang or None, source="tester", all_actors=True)


def run_backtest(engine: Engine, articles: Iterable[Article], cap: int = 200) -> Backtest:
    """Match each article; count per publication (else fetch) day."""
    bt = Backtest()
    for a in articles:
        day = a.published_at.astimezone(UTC).date().isoformat() if a.published_at else "undated"
        bt.articles[day] += 1
        result = engine.match(a.text, lang=a.lang, article_id=a.id, source=a.feed_url)
        for hit in result.hits:
            bt.fires[day] += 1
            if len(bt.fired) < cap:
                bt.fired.append((a, hit.watch_id))
    return bt


def suggest_excludes(judged: Sequence[dict[str, Any]], top: int = 10) -> list[tuple[str, int]]:
    """Phrases (a matched name with the word before or after it) that recur around the
    names in irrelevant hits and never in relevant ones: candidates for an actor's
    `exclude` list, to backtest before copying into a rule file."""
    import json

    seen: dict[str, Counter[str]] = {"relevant": Counter(), "irrelevant": Counter()}
    for row in judged:
        counter = seen.get(row["verdict"])
        if counter is None:
            continue
        phrases: set[str] = set()
        for e in json.loads(row["evidence"]):
            text, start = e["text"], e["start"]
            for m in e.get("mentions", []):
                s, t = m["start"] - start, m["end"] - start
                before = WORD.findall(text[max(0, s - 40) : max(0, s)])
                after = WORD.findall(text[t : t + 40])
                name = text[s:t]
                if before:
                    phrases.add(f"{before[-1]} {name}")
                if after:
                    phrases.add(f"{name} {after[0]}")
        counter.update(p.lower() for p in phrases)
    bad, good = seen["irrelevant"], seen["relevant"]
    ranked = [(p, n) for p, n in bad.most_common() if n >= 2 and p not in good]
    return ranked[:top]
