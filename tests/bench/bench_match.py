"""Matching throughput at 100, 10,000 and 100,000 aliases, against a naive regex baseline.

Each scale runs in a child process (so its RSS is its own): synthetic actors
(10 aliases each, one watch each: 10,000 rules at 100,000 aliases) are added
to the real test actors (RUS, PRK and their watch), then two streams of
synthetic English news-like articles (~2,300 characters) are matched:

- realistic: 10% of the articles name a watched actor, the rest name none;
- all-relevant: every article names Russia, North Korea and synthetic actors.

The baseline is what a keyword alerter does: one compiled regex per rule
(its aliases, word-bounded, any ending), searched in every article. All
numbers are medians of repeated runs, measured in this one process.
"""

from __future__ import annotations

import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

# BENCH_SCALES=100,10000 limits the scales (a quicker run on a busy machine).
SCALES = tuple(
    int(n) for n in os.environ.get("BENCH_SCALES", "100,10000,100000").split(",") if n.strip()
)
REALISTIC_N = 2000
RELEVANT_N = 300
REPEATS = 5
ROUNDS = 3
ALIASES_PER_ACTOR = 10
ROOT = Path(__file__).resolve().parents[2]

_FILLER_TEXT = (
    "the government said on tuesday that a new report on the economy would be published "
    "next week after talks with officials from several countries in the region where prices "
    "rose sharply amid concerns about energy supplies and trade while ministers met in the "
    "capital to discuss budget plans for schools hospitals and roads as the central bank kept "
    "interest rates unchanged and analysts expected growth to slow during the winter months "
    "because exports fell and unemployment increased in industrial areas although consumer "
    "spending remained stable according to figures released by the statistics office"
)
_SYLLABLE_TEXT = (
    "ka lo mir ven dra tis gor bel an os ur zel tam nor quin vas ret hal bri con del fen gar "
    "hul jor kev lun mak nep orv pax rid sul tev ulm vor wyn xan yor zim"
)
FILLER = _FILLER_TEXT.split()
SYLLABLES = _SYLLABLE_TEXT.split()


def alias(rng: random.Random, taken: set[str]) -> str:
    """A pseudo-word name (Kalomir, Venbrisul) that is no English word."""
    while True:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(3, 4))).capitalize()
        if word not in taken:
            taken.add(word)
            return word


def sentence(rng: random.Random, names: Sequence[str] = ()) -> str:
    words = [rng.choice(FILLER) for _ in range(rng.randint(12, 22))]
    for name in names:
        words.insert(rng.randrange(len(words)), name)
    return " ".join(words).capitalize() + "."


def article(rng: random.Random, names: Sequence[str] = ()) -> str:
    """About 2,300 characters in 4 paragraphs; `names` spread over its sentences."""
    per = [list(names[i::4]) for i in range(4)]
    paras = [" ".join(sentence(rng, per[p] if s == 0 else ()) for s in range(5)) for p in range(4)]
    return "\n\n".join(paras)


WATCHES = ("plain", "relation")


def build_rules(n_aliases: int, seed: int = 7, watch: str = "plain") -> tuple[object, list[str]]:
    """The test actors and watch plus synthetic actors (10 aliases each, one watch each)."""
    from rules.load import RuleSet, Watch, load_rules
    from rules.spec import ActorSpec, SentencesScope, WatchSpec

    base = load_rules(
        [ROOT / "tests/data/rules/multilingual.yaml"], shipped_actors=False, shipped_cues=True
    )
    rng = random.Random(seed)
    taken: set[str] = set()
    actors = dict(base.actors)
    spec = (
        WatchSpec(
            id="ru-kp",
            pair=["RUS", "PRK"],
            relation="cooperation",
            scope=SentencesScope(sentences=2),
        )
        if watch == "relation"
        else WatchSpec(id="ru-kp", all=["RUS", "PRK"])
    )
    watches = [Watch(spec, "bench", "1")]
    names: list[str] = []
    for i in range(n_aliases // ALIASES_PER_ACTOR):
        aid = f"S{i}"
        mine = [alias(rng, taken) for _ in range(ALIASES_PER_ACTOR)]
        # Seven one-word names, three two-word ones ("Kalomir Venbrisul").
        mine = mine[:7] + [f"{a} {b}" for a, b in zip(mine[7:], mine[:3], strict=True)]
        names += mine
        actors[aid] = ActorSpec(id=aid, names={"en": mine})
        watches.append(Watch(WatchSpec(id=f"w{i}", any=[aid]), "bench", "1"))
    return RuleSet(actors, tuple(watches), base.cues), names


def streams(names: list[str], seed: int = 11) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    real = ["Russia", "Kremlin", "Putin's", "North Korea", "Pyongyang", "Kim Jong Un"]
    realistic = []
    for i in range(REALISTIC_N):
        if i % 10 == 0:  # 10% name watched actors, a real one or a synthetic one
            pick = [rng.choice(real)] if i % 20 == 0 else [rng.choice(names) + "s"]
            realistic.append(article(rng, pick))
        else:
            realistic.append(article(rng))
    relevant = [
        article(rng, ["Russia", "North Korea", "Moscow", *rng.sample(names, min(3, len(names)))])
        for _ in range(RELEVANT_N)
    ]
    return realistic, relevant


def naive_baseline(rules: object) -> Callable[[str], int]:
    """One regex per watch: its actors' names, word-bounded, any ending."""
    from rules.load import RuleSet

    assert isinstance(rules, RuleSet)
    patterns = []
    for w in rules.watches:
        names = [n for a in (*w.spec.all, *w.spec.any) for n in rules.actors[a].names.get("en", [])]
        alts = "|".join(re.escape(n) for n in names)
        patterns.append(re.compile(rf"\b(?:{alts})\w*", re.IGNORECASE))

    def run(text: str) -> int:
        return sum(1 for p in patterns if p.search(text))

    return run


def rate(fn: Callable[[str], object], texts: list[str], repeats: int = REPEATS) -> float:
    """Median articles per second over `repeats` passes."""
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        for text in texts:
            fn(text)
        times.append(time.perf_counter() - t)
    return len(texts) / statistics.median(times)


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def child(n_aliases: int, watch: str = "plain") -> dict[str, float]:
    """One scale, measured in this (child) process."""
    from rules.engine import Engine

    rss0 = rss_mb()
    t = time.perf_counter()
    rules, names = build_rules(n_aliases, watch=watch)
    engine = Engine(rules)  # type: ignore[arg-type]
    engine.lexicon("en")
    compile_s = time.perf_counter() - t
    realistic, relevant = streams(names)
    fired = sum(1 for a in realistic if engine.match(a, lang="en").hits)
    fired_rel = sum(1 for a in relevant if engine.match(a, lang="en").hits)

    def match(a: str) -> object:
        return engine.match(a, lang="en")

    out = {
        "aliases": n_aliases,
        "compile_s": compile_s,
        "realistic": rate(match, realistic),
        "relevant": rate(match, relevant),
        "fired_realistic": fired / len(realistic),
        "fired_relevant": fired_rel / len(relevant),
        "rss_mb": rss_mb(),  # before the baseline's regexes exist
        "rss_start_mb": rss0,
    }
    out["rules"] = len(rules.watches)  # type: ignore[attr-defined]
    naive = naive_baseline(rules)
    sample = realistic[: max(5, 100_000 // n_aliases)]
    out["naive"] = rate(naive, sample, repeats=3)
    return out


def child_ab(n_aliases: int) -> dict[str, float]:
    """Plain and relation watch in one process, passes alternating: the ratio of their times."""
    from rules.engine import Engine

    engines = {}
    for watch in WATCHES:
        rules, names = build_rules(n_aliases, watch=watch)
        engines[watch] = Engine(rules)  # type: ignore[arg-type]
        engines[watch].lexicon("en")
    realistic, relevant = streams(names)
    out: dict[str, float] = {"aliases": n_aliases}
    for label, texts in (("realistic", realistic), ("relevant", relevant)):
        times: dict[str, list[float]] = {w: [] for w in WATCHES}
        for _ in range(REPEATS):
            for watch, engine in engines.items():
                t = time.perf_counter()
                for text in texts:
                    engine.match(text, lang="en")
                times[watch].append(time.perf_counter() - t)
        out[label] = statistics.median(times["relation"]) / statistics.median(times["plain"])
    return out


def run_child(n_aliases: int, watch: str = "plain") -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, "-m", "tests.bench.bench_match", "--child", str(n_aliases), watch],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONHASHSEED": "0"},
        check=False,
    )
    if proc.returncode != 0:
        print(proc.stderr)
        raise SystemExit(f"bench child for {n_aliases} aliases failed")
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def median_of(rounds: list[dict[str, float]]) -> dict[str, float]:
    """Per key, the median over rounds (the machine is shared: rounds interleave scales)."""
    return {k: statistics.median(r[k] for r in rounds) for k in rounds[0]}


def main() -> None:
    print(
        f"one core, lang given (en); realistic: {REALISTIC_N} articles, 10% name a watched "
        f"actor; all-relevant: {RELEVANT_N} articles; each figure: median over {ROUNDS} "
        f"rounds of the median of {REPEATS} passes; rounds interleave the scales",
        flush=True,
    )
    rounds: dict[int, list[dict[str, float]]] = {n: [] for n in SCALES}
    relation: dict[int, list[dict[str, float]]] = {n: [] for n in SCALES}
    for _ in range(ROUNDS):
        for n in SCALES:
            rounds[n].append(run_child(n))
            relation[n].append(run_child(n, "relation"))
    results = [median_of(rounds[n]) for n in SCALES]
    with_relation = [median_of(relation[n]) for n in SCALES]
    print(
        f"{'aliases':>8} {'rules':>6} {'compile s':>9} {'realistic/s':>12} {'relevant/s':>11} "
        f"{'naive/s':>9} {'vs naive':>9} {'RSS MB':>7}"
    )
    for r in results:
        naive = r["naive"]
        print(
            f"{r['aliases']:>8.0f} {r['rules']:>6.0f} {r['compile_s']:>9.1f} "
            f"{r['realistic']:>12.0f} {r['relevant']:>11.0f} {naive:>9.1f} "
            f"{r['realistic'] / naive:>8.0f}x {r['rss_mb']:>7.0f}"
        )
    lo, hi = results[0], results[-1]
    print(
        f"slowdown 100 -> 100,000 aliases: realistic {lo['realistic'] / hi['realistic']:.2f}x, "
        f"all-relevant {lo['relevant'] / hi['relevant']:.2f}x; "
        f"RSS at 100,000 aliases {hi['rss_mb']:.0f} MB (process start {hi['rss_start_mb']:.0f})"
    )
    spread = ", ".join(
        f"{n}: realistic {min(r['realistic'] for r in rounds[n]):.0f}-"
        f"{max(r['realistic'] for r in rounds[n]):.0f}"
        for n in SCALES
    )
    print(f"spread over rounds (articles/s): {spread}")
    fired = ", ".join(
        f"{r['aliases']:.0f}: {r['fired_realistic']:.0%}/{r['fired_relevant']:.0%}" for r in results
    )
    print(f"share of articles that fire a watch (realistic/all-relevant): {fired}")
    print("relation watch (pair RUS/PRK, cooperation, 2 sentences) vs plain (all: RUS, PRK):")
    for plain, rel in zip(results, with_relation, strict=True):
        print(
            f"  {plain['aliases']:>7.0f} aliases: realistic {rel['realistic']:.0f}/s vs "
            f"{plain['realistic']:.0f}/s ({plain['realistic'] / rel['realistic']:.2f}x the time), "
            f"all-relevant {rel['relevant']:.0f}/s vs {plain['relevant']:.0f}/s "
            f"({plain['relevant'] / rel['relevant']:.2f}x), compile {rel['compile_s']:.1f} s "
            f"vs {plain['compile_s']:.1f} s"
        )
    for n in SCALES:
        ab = run_child(n, "ab")
        print(
            f"  {n:>7} aliases, one process, passes alternating: relation/plain time "
            f"realistic {ab['realistic']:.2f}x, all-relevant {ab['relevant']:.2f}x"
        )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[3] == "ab":
        print(json.dumps(child_ab(int(sys.argv[2]))))
    elif len(sys.argv) in (3, 4) and sys.argv[1] == "--child":
        print(json.dumps(child(int(sys.argv[2]), *sys.argv[3:4])))
    else:
        main()
