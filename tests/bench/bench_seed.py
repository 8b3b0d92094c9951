"""Baseline: matching the seed article with the shipped rules, against a naive regex scan."""

from __future__ import annotations

import re
import statistics
import time
from pathlib import Path

from rules.engine import Engine
from rules.load import load_rules

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_1f078e3ac375ad18.txt"


def median_s(fn: object, repeat: int = 7, number: int = 20) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        for _ in range(number):
            fn()  # type: ignore[operator]
        times.append((time.perf_counter() - t) / number)
    return statistics.median(times)


def main() -> None:
    text = SEED.read_text(encoding="utf-8")
    rules = load_rules(shipped_watches=True)
    engine = Engine(rules)
    engine.match(text, lang="de")  # compile once
    # The naive baseline scans for the names of the watch's actors, in every language.
    watched = {a for w in rules.watches for a in (*w.spec.all, *w.spec.any)}
    names = [n for a in watched for ns in rules.actors[a].names.values() for n in ns]
    naive = [re.compile(rf"\b{re.escape(n)}\w*\b", re.IGNORECASE) for n in names]
    t_engine = median_s(lambda: engine.match(text, lang="de"))
    t_naive = median_s(lambda: [p.findall(text) for p in naive])
    print(
        f"seed article, {len(watched)} actors, {len(names)} names: "
        f"engine {t_engine * 1e3:.2f} ms (median), "
        f"naive regex {t_naive * 1e3:.2f} ms, ratio {t_naive / t_engine:.2f}x"
    )
