"""The labelled passages: per-actor precision, recall and F1, and passages per second."""

from __future__ import annotations

import time

from rules.engine import Engine
from rules.load import load_rules
from tests.rules.labelled_report import format_report, load_passages, run


def main() -> None:
    passages = load_passages()
    engine = Engine(load_rules())
    run(passages, engine)  # compile every language once
    started = time.perf_counter()
    report = run(passages, engine)
    elapsed = time.perf_counter() - started
    print(format_report(report))
    print(f"\n{len(passages)} passages in {elapsed:.2f} s ({len(passages) / elapsed:.0f}/s, warm)")
    detected = run(passages, engine, detect=True)
    print("\n--- the same passages, language detected instead of declared ---")
    print("\n".join(format_report(detected).splitlines()[:2]))
    print(f"all actors: F1 {detected.total.f1:.3f} (declared: {report.total.f1:.3f})")
