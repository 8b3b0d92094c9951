"""Score the engine on the labelled passages: per-actor precision, recall and F1.

The passages live in tests/data/labelled/<lang>.yaml, each with its language,
the complete set of evaluated actors it names (`actors`) and, for look-alike
passages, the actors that must stay silent (`silent`). The evaluated actors
are every id that occurs in either list. A passage the engine is known to get
wrong says why in `known` (a category such as "compound"); it still counts in
the scores. Run `python -m tests.rules.labelled_report`
for the table (`--detect` lets the engine detect each passage's language
instead of declaring it; `--watched` scores as `wirewatch match --json` runs
by default: the shipped watch, only the actors it watches, no language
given); tests/rules/test_labelled.py asserts floors.

The blind part lives in tests/data/labelled/blind/<lang>.yaml: passages
written before the names they test were curated and never tuned against.
The report scores it apart (`--blind` prints only it, `--tuned` only the rest).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from rules.engine import Engine
from rules.load import load_rules, watch_actors

LABELLED_DIR = Path(__file__).resolve().parents[1] / "data" / "labelled"
_KEYS = {"lang", "text", "actors", "silent", "known"}


@dataclass(frozen=True, slots=True)
class Passage:
    """One labelled text."""

    file: str
    lang: str
    text: str
    actors: frozenset[str]
    silent: frozenset[str] = frozenset()
    known: str | None = None  # why the engine or the library is expected to get it wrong
    blind: bool = False  # written before its names were curated, never tuned against


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the engine found in one passage (restricted to the evaluated actors)."""

    passage: Passage
    found: frozenset[str]
    names: dict[str, tuple[str, ...]]
    lang: str  # the language the engine matched in (detected with `detect`)

    @property
    def missed(self) -> frozenset[str]:
        return self.passage.actors - self.found

    @property
    def spurious(self) -> frozenset[str]:
        return self.found - self.passage.actors


@dataclass(slots=True)
class Score:
    """Counts for one actor (or one language, or all)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(slots=True)
class Report:
    """Scores per actor and per language, and every passage's outcome."""

    outcomes: list[Outcome]
    by_actor: dict[str, Score] = field(default_factory=dict)
    by_lang: dict[str, Score] = field(default_factory=dict)
    total: Score = field(default_factory=Score)
    detect: bool = False
    watched: bool = False


def load_passages(folder: Path = LABELLED_DIR, *, blind: bool | None = None) -> list[Passage]:
    """Every passage of every language file, in file order; the blind part after.

    `blind`: None for both parts, True for the blind part only, False for the rest.
    """
    out = []
    paths = [(p, False) for p in sorted(folder.glob("*.yaml"))]
    paths += [(p, True) for p in sorted((folder / "blind").glob("*.yaml"))]
    for path, is_blind in paths:
        if blind is not None and is_blind != blind:
            continue
        for i, item in enumerate(yaml.safe_load(path.read_text(encoding="utf-8")) or []):
            where = f"{'blind/' if is_blind else ''}{path.name}[{i}]"
            if set(item) - _KEYS or item.get("lang") != path.stem:
                raise ValueError(f"{where}: needs lang={path.stem}, text, actors (silent, known)")
            out.append(
                Passage(
                    where,
                    item["lang"],
                    item["text"],
                    frozenset(item["actors"]),
                    frozenset(item.get("silent", ())),
                    item.get("known"),
                    is_blind,
                )
            )
    return out


def evaluated_actors(passages: Iterable[Passage]) -> frozenset[str]:
    """The ids the labels speak about: every expected or silent actor."""
    return frozenset(a for p in passages for a in p.actors | p.silent)


def run(
    passages: list[Passage],
    engine: Engine | None = None,
    *,
    detect: bool = False,
    watched: bool = False,
) -> Report:
    """Match every passage in its declared (or, with `detect`, detected) language; score it.

    `watched`: as `wirewatch match` does by default, with the shipped watch: only
    the actors it watches are looked for and scored, the language is detected.
    """
    engine = engine or Engine(load_rules(shipped_watches=watched))
    actors = evaluated_actors(passages)
    if watched:
        detect = True
        actors &= {a for w in engine.rules.watches for a in watch_actors(w)}
    report = Report([], {a: Score() for a in sorted(actors)}, detect=detect, watched=watched)
    for p in passages:
        if watched:  # the other actors are not looked for
            p = replace(p, actors=p.actors & actors, silent=p.silent & actors)
        lang = None if detect else p.lang
        result = engine.match(p.text, lang=lang, all_actors=not watched)
        names = {a: tuple(m.text for m in ms) for a, ms in result.mentions.items() if a in actors}
        outcome = Outcome(p, frozenset(names), names, result.lang)
        report.outcomes.append(outcome)
        lang = report.by_lang.setdefault(p.lang, Score())
        for actor in actors:
            hit, want = actor in outcome.found, actor in p.actors
            for score in (report.by_actor[actor], lang, report.total):
                score.tp += hit and want
                score.fp += hit and not want
                score.fn += want and not hit
    return report


def format_table(rows: dict[str, Score], title: str) -> list[str]:
    """A fixed-width table: precision, recall, F1 and counts per row."""
    lines = [f"{title:<6} {'P':>6} {'R':>6} {'F1':>6} {'TP':>4} {'FP':>4} {'FN':>4}"]
    for key, s in rows.items():
        lines.append(
            f"{key:<6} {s.precision:>6.3f} {s.recall:>6.3f} {s.f1:>6.3f} "
            f"{s.tp:>4} {s.fp:>4} {s.fn:>4}"
        )
    return lines


def format_report(report: Report) -> str:
    """The whole report: per actor, per language, all, then every error."""
    n = len(report.outcomes)
    langs = len(report.by_lang)
    lines = [f"{n} labelled passages in {langs} languages ({LABELLED_DIR})"]
    if report.watched:
        lines.append("the shipped watch's actors only, as `wirewatch match` looks for them")
    if report.watched:  # the language is only known where a watched name is found
        named = [o for o in report.outcomes if o.found]
        right = sum(o.lang == o.passage.lang for o in named)
        lines.append(f"language detected: right for {right} of the {len(named)} naming one")
    elif report.detect:
        right = sum(o.lang == o.passage.lang for o in report.outcomes)
        lines.append(f"language detected, not declared: right for {right} of {n}")
    lines.append("")
    lines += format_table({**report.by_actor, "all": report.total}, "actor")
    lines += ["", *format_table(report.by_lang, "lang")]
    errors = [o for o in report.outcomes if o.missed or o.spurious]
    unexpected = [o for o in errors if not o.passage.known]
    known = [o for o in errors if o.passage.known]
    fixed = [o for o in report.outcomes if o.passage.known and o not in errors]
    lines += ["", f"{len(unexpected)} unexpected errors:", *_describe(unexpected)]
    lines += ["", f"{len(known)} known errors, by category:"]
    lines += _describe(sorted(known, key=lambda o: o.passage.known or ""), why=True)
    if fixed:
        lines += ["", "marked known but now right (drop their `known`):"]
        lines += [f"  {o.passage.file}: {o.passage.text}" for o in fixed]
    wrong_lang = [
        o
        for o in report.outcomes
        if report.detect and o.lang != o.passage.lang and (o.found or not report.watched)
    ]
    if wrong_lang:
        lines += ["", "language detected wrongly:"]
        lines += [f"  {o.passage.file}: {o.lang}: {o.passage.text}" for o in wrong_lang]
    return "\n".join(lines)


def _describe(outcomes: list[Outcome], *, why: bool = False) -> list[str]:
    lines = []
    for o in outcomes:
        missed = ",".join(sorted(o.missed)) or "-"
        spurious = ",".join(f"{a}{list(o.names[a])}" for a in sorted(o.spurious)) or "-"
        reason = f" [{o.passage.known}]" if why else ""
        lines.append(f"  {o.passage.file}: missed {missed}; spurious {spurious}{reason}")
        lines.append(f"    {o.passage.text}")
    return lines


def main(argv: list[str]) -> int:
    """`python -m tests.rules.labelled_report [--detect|--watched] [--blind|--tuned]`."""
    blind = True if "--blind" in argv else False if "--tuned" in argv else None
    passages = load_passages(blind=blind)
    print(format_report(run(passages, detect="--detect" in argv, watched="--watched" in argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
