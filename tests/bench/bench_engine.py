"""The engine on real feed text: declared vs unknown language, detection, load, CLI.

Real text only: the corpus feeds (WIREWATCH_CORPUS_DIR) parsed by the
daemon's parser into ~3 KB texts, 10% of them naming Russia or North Korea
(tests/bench/feedtexts.py). Shipped actors and watches. Each measurement
runs in a child process of its own (its RSS and its imports are its own);
figures are medians over ROUNDS children, and ratios are taken within one
run. Measured:

- engine: articles/s with the language declared (the feed's, else lingua's
  on the whole text, computed beforehand) and with it unknown; the share of
  texts the presearch makes candidates;
- detection RSS: a process that only presearches and detects the stream;
- library load (every language): uncached and cached, with the presearch;
- RSS at 100,000 aliases: the shipped library (all languages) plus 100,000
  synthetic English aliases, their lexicon compiled and the stream matched,
  as the daemon holds them and with the presearch over every actor that
  `match --all-actors` and the console's rule tester add; with the cache
  folder filled (every start after the first) and empty (the first);
- `wirewatch match --json` over the 2,000 texts (files in a temporary
  folder) against spaCy's blank tokenizer + sentencizer over the same files,
  each a whole process (start, imports, library load included).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 3
REPEATS = 3
_SPACY_BASELINE = """
import sys, spacy
nlp = spacy.blank("en")
nlp.add_pipe("sentencizer")
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        nlp(f.read())
"""


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def declared_langs(texts: list[str], feed_langs: list[str | None]) -> list[str]:
    """The feed's language, else lingua's over the whole text (all its languages)."""
    from lingua import LanguageDetectorBuilder

    detector = LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode().build()
    memo: dict[str, str] = {}
    out = []
    for text, lang in zip(texts, feed_langs, strict=True):
        if lang:
            out.append(lang)
            continue
        if text not in memo:
            found = detector.detect_language_of(text)
            memo[text] = found.iso_code_639_1.name.lower() if found else "en"
        out.append(memo[text])
    return out


def child_engine(cache: Path) -> dict[str, float]:
    from rules.engine import Engine
    from rules.inflect import fold
    from rules.load import load_rules
    from tests.bench.feedtexts import stream

    items = stream()
    texts = [t.text for t in items]
    langs = declared_langs(texts, [t.lang for t in items])
    engine = Engine(load_rules(shipped_watches=True, cache_dir=cache), cache_dir=cache)
    search = engine.presearch()
    candidates = sum(1 for t in texts if search.scan(fold(t))) / len(texts)
    out: dict[str, float] = {"candidates": candidates}
    for mode in ("declared", "unknown"):
        pairs = list(zip(texts, langs if mode == "declared" else [None] * len(texts), strict=True))
        for text, lang in pairs:  # warm up: lexicons compiled, caches filled
            engine.match(text, lang=lang)
        times = []
        for _ in range(REPEATS):
            t = time.perf_counter()
            for text, lang in pairs:
                engine.match(text, lang=lang)
            times.append(time.perf_counter() - t)
        out[mode] = len(texts) / statistics.median(times)
    return out


def child_detect(cache: Path) -> dict[str, float]:
    from rules.engine import Engine
    from rules.load import load_rules
    from tests.bench.feedtexts import stream

    texts = [t.text for t in stream()]
    engine = Engine(load_rules(shipped_watches=True, cache_dir=cache), cache_dir=cache)
    engine.presearch(all_actors=True)
    before = rss_mb()
    t = time.perf_counter()
    for text in texts:
        engine.language(text)
    return {
        "detect_rss_mb": rss_mb() - before,
        "rss_mb": rss_mb(),
        "detect_per_s": len(texts) / (time.perf_counter() - t),
    }


def child_load(cache: Path) -> dict[str, float]:
    from rules.engine import Engine
    from rules.load import load_rules

    t = time.perf_counter()
    rules = load_rules(shipped_watches=True, cache_dir=cache)
    loaded = time.perf_counter() - t
    engine = Engine(rules, cache_dir=cache)
    engine.presearch(all_actors=True)
    return {"load_s": loaded, "load_presearch_s": time.perf_counter() - t}


def child_aliases(cache: Path, *, every_actor: bool = True) -> dict[str, float]:
    from rules.engine import Engine
    from rules.load import RuleSet, load_rules
    from tests.bench.bench_match import build_rules
    from tests.bench.feedtexts import stream

    shipped = load_rules(shipped_watches=True, cache_dir=cache)
    synthetic, _names = build_rules(100_000)
    assert isinstance(synthetic, RuleSet)
    rules = RuleSet({**shipped.actors, **synthetic.actors}, shipped.watches + synthetic.watches)
    engine = Engine(rules, cache_dir=cache)
    if every_actor:  # what match --all-actors and the console's rule tester add
        engine.presearch(all_actors=True)
    engine.lexicon("en")
    for item in stream():
        engine.match(item.text)
    key = "rss_100k_mb" if every_actor else "rss_100k_daemon_mb"
    return {key: rss_mb(), "names_langs": len(rules.languages())}


def child_aliases_daemon(cache: Path) -> dict[str, float]:
    """As the daemon holds them: the watched actors' presearch in every language."""
    return child_aliases(cache, every_actor=False)


CHILDREN = {
    "engine": child_engine,
    "detect": child_detect,
    "load": child_load,
    "aliases": child_aliases,
    "aliases_daemon": child_aliases_daemon,
}


def run_child(name: str, cache: Path) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, "-m", "tests.bench.bench_engine", "--child", name, str(cache)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    if proc.returncode != 0:
        print(proc.stderr)
        raise SystemExit(f"bench child {name} failed")
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def timed(cmd: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, cwd=ROOT, env=env, check=False)
    if proc.returncode not in (0,):
        raise SystemExit(f"{cmd[:3]} failed: {proc.stderr.decode()[-500:]}")
    return time.perf_counter() - t


def cli_ratio(tmp: Path, cache: Path) -> dict[str, float]:
    """`wirewatch match --json` vs spaCy's tokenizer, whole processes, same files."""
    from tests.bench.feedtexts import stream

    files = []
    for i, item in enumerate(stream()):
        path = tmp / f"{i:04d}.txt"
        path.write_text(item.text, encoding="utf-8")
        files.append(str(path))
    env = {**os.environ, "WIREWATCH_CACHE_DIR": str(cache)}
    wirewatch = str(Path(sys.executable).with_name("wirewatch"))
    timed([wirewatch, "match", "--json", files[0]], env)  # fills the library cache
    ours, spacy = [], []
    for _ in range(ROUNDS):
        ours.append(timed([wirewatch, "match", "--json", *files], env))
        spacy.append(timed([sys.executable, "-c", _SPACY_BASELINE, *files], env))
    n = len(files)
    return {
        "match_per_s": n / statistics.median(ours),
        "spacy_per_s": n / statistics.median(spacy),
        "ratio": statistics.median(s / o for o, s in zip(ours, spacy, strict=True)),
    }


def main() -> None:
    print(
        "real text: corpus feeds (WIREWATCH_CORPUS_DIR) as 2,000 texts of ~3 KB, 10% naming "
        f"Russia/North Korea; shipped actors and watches; one process per figure, median of "
        f"{ROUNDS}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="wirewatch-bench-") as tmp_s:
        tmp = Path(tmp_s)
        uncached = [run_child("load", tmp / f"fresh{i}") for i in range(ROUNDS)]
        cache = tmp / "cache"
        run_child("load", cache)
        # The first start compiles the lexicons (cold); every later one reads them.
        first = [run_child("aliases_daemon", tmp / f"cold{i}") for i in range(ROUNDS)]
        run_child("aliases", cache)
        rounds: dict[str, list[dict[str, float]]] = {k: [] for k in CHILDREN}
        for _ in range(ROUNDS):
            for name in CHILDREN:
                rounds[name].append(run_child(name, cache))
        med = {
            k: statistics.median(r[k] for r in rs) for rs in rounds.values() for k in rs[0] if rs
        }
        cold = statistics.median(r["load_presearch_s"] for r in uncached)
        first_start = statistics.median(r["rss_100k_daemon_mb"] for r in first)
        files = tmp / "files"
        files.mkdir()
        cli = cli_ratio(files, tmp / "xdg")
    print(
        f"engine articles/s: declared {med['declared']:.0f}, unknown {med['unknown']:.0f} "
        f"(declared/unknown {med['declared'] / med['unknown']:.2f}x); "
        f"presearch candidates {med['candidates']:.1%}"
    )
    print(
        f"detection: +{med['detect_rss_mb']:.0f} MB RSS ({med['rss_mb']:.0f} MB process), "
        f"{med['detect_per_s']:.0f} texts/s"
    )
    print(
        f"library load, all languages + presearch: uncached {cold:.2f} s, cached "
        f"{med['load_presearch_s']:.2f} s (of which rules {med['load_s']:.2f} s)"
    )
    print(
        f"RSS at 100,000 aliases with the whole library ({med['names_langs']:.0f} languages): "
        f"{med['rss_100k_daemon_mb']:.0f} MB as the daemon matches (watched actors' presearch, "
        f"cached lexicons), {first_start:.0f} MB on its first start (compiling them), "
        f"{med['rss_100k_mb']:.0f} MB with the presearch over every actor (--all-actors)"
    )
    print(
        f"match --json: {cli['match_per_s']:.0f} articles/s; spaCy blank tokenizer + "
        f"sentencizer: {cli['spacy_per_s']:.0f}/s; ratio {cli['ratio']:.2f}x"
    )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(CHILDREN[sys.argv[2]](Path(sys.argv[3]))))
    else:
        main()
