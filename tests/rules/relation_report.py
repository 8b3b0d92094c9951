"""Score relation watches on the labelled pair passages: P/R/F1 per class.

The passages live in tests/data/relations/{dev,blind}.yaml, each naming two
actors (`pair`) and the relation between them (`label`: cooperation, conflict
or none); look-alikes say their `kind` (enumeration, geography). For every
passage two watches run on the shipped library and cues, one per relation
family; the prediction is the family that fires (a passage firing both goes
to the class of its first evidence). Run `python -m tests.rules.relation_report`
(`--detect`: the engine detects each passage's language, as `match` does
without `--lang`); tests/rules/test_relations.py asserts floors.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from rules.engine import Engine
from rules.load import RuleSet, Watch, load_rules
from rules.spec import SentencesScope, WatchSpec

RELATIONS_DIR = Path(__file__).resolve().parents[1] / "data" / "relations"
LABELS = ("cooperation", "conflict", "none")
_KEYS = {"lang", "pair", "label", "kind", "text"}


@dataclass(frozen=True, slots=True)
class Passage:
    """One labelled text naming a pair."""

    file: str
    lang: str
    pair: tuple[str, str]
    label: str
    text: str
    kind: str | None = None


@dataclass
class Score:
    """Confusion counts per class, and the passages that went wrong."""

    tp: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LABELS, 0))
    fp: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LABELS, 0))
    fn: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LABELS, 0))
    wrong: list[tuple[Passage, str]] = field(default_factory=list)
    lookalikes_fired: list[Passage] = field(default_factory=list)
    n: int = 0

    def add(self, p: Passage, predicted: str) -> None:
        """Count one prediction."""
        self.n += 1
        if predicted == p.label:
            self.tp[p.label] += 1
            return
        self.fp[predicted] += 1
        self.fn[p.label] += 1
        self.wrong.append((p, predicted))
        if p.kind and predicted != "none":
            self.lookalikes_fired.append(p)

    def prf(self, label: str) -> tuple[float, float, float]:
        """Precision, recall and F1 of one class."""
        tp, fp, fn = self.tp[label], self.fp[label], self.fn[label]
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def load_passages(name: str) -> list[Passage]:
    """The passages of tests/data/relations/<name>.yaml and of <name>/*.yaml (one a language)."""
    paths = [RELATIONS_DIR / f"{name}.yaml", *sorted((RELATIONS_DIR / name).glob("*.yaml"))]
    out = []
    for path in paths:
        if not path.exists():
            continue
        label = path.relative_to(RELATIONS_DIR).as_posix()
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or ():
            extra = set(item) - _KEYS
            if extra or item["label"] not in LABELS or len(item["pair"]) != 2:
                raise ValueError(f"{label}: bad passage {item!r}")
            a, b = item["pair"]
            out.append(
                Passage(label, item["lang"], (a, b), item["label"], item["text"], item.get("kind"))
            )
    return out


def pair_engine(passages: list[Passage], base: RuleSet | None = None) -> Engine:
    """An engine with a cooperation and a conflict watch for every pair in `passages`."""
    base = base or load_rules()
    watches = []
    for a, b in sorted({p.pair for p in passages}):
        for rel in ("cooperation", "conflict"):
            spec = WatchSpec(
                id=f"{a}-{b}-{rel}",
                pair=[a, b],
                relation=rel,  # type: ignore[arg-type]
                scope=SentencesScope(sentences=2),
            )
            watches.append(Watch(spec, "relation_report", "1"))
    return Engine(RuleSet(base.actors, tuple(watches), base.cues))


def predict(engine: Engine, p: Passage, *, detect: bool = False) -> str:
    """The relation the engine sees between the passage's pair."""
    result = engine.match(p.text, lang=None if detect else p.lang)
    a, b = p.pair
    fired = [h for h in result.hits if h.watch_id.startswith(f"{a}-{b}-")]
    families = {h.watch_id.rsplit("-", 1)[1] for h in fired}
    if len(families) == 1:
        return families.pop()
    if not families:
        return "none"
    first = min((e for h in fired for e in h.evidence), key=lambda e: e.start)
    cls = first.relation.cls if first.relation else ""
    return "cooperation" if cls.endswith("cooperation") else "conflict"


def run(engine: Engine, passages: list[Passage], *, detect: bool = False) -> Score:
    """Score every passage."""
    score = Score()
    for p in passages:
        score.add(p, predict(engine, p, detect=detect))
    return score


def table(name: str, score: Score) -> str:
    """P/R/F1 per class, then what went wrong."""
    lines = [f"{name}: {score.n} passages"]
    for label in LABELS:
        p, r, f = score.prf(label)
        support = score.tp[label] + score.fn[label]
        lines.append(f"  {label:12} P {p:.2f}  R {r:.2f}  F1 {f:.2f}  (n={support})")
    lines.append(f"  look-alikes firing: {len(score.lookalikes_fired)}")
    for p, predicted in score.wrong:
        lines.append(f"  WRONG {p.lang} {p.label}->{predicted}: {p.text[:90]}")
    return "\n".join(lines)


def parts(score: Score, passages: list[Passage]) -> str:
    """F1 per class of the set's first file (its first 14 languages) and of its folder's
    files (the 33 languages whose cues came later), each scored apart."""
    wrong = {id(p): predicted for p, predicted in score.wrong}
    lines = []
    for part, label in ((False, "first file"), (True, "folder")):
        mine = [p for p in passages if ("/" in p.file) == part]
        if not mine:
            continue
        sub = Score()
        for p in mine:
            sub.add(p, wrong.get(id(p), p.label))
        f1 = ", ".join(f"{c} {sub.prf(c)[2]:.2f}" for c in LABELS)
        langs = len({p.lang for p in mine})
        lines.append(f"  {label} ({sub.n} passages, {langs} languages): F1 {f1}")
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    detect = "--detect" in argv
    sets = {name: load_passages(name) for name in ("dev", "blind")}
    engine = pair_engine([p for ps in sets.values() for p in ps])
    for name, passages in sets.items():
        score = run(engine, passages, detect=detect)
        print(table(name + (" (language detected)" if detect else ""), score))
        print(parts(score, passages))


if __name__ == "__main__":
    main(sys.argv[1:])
