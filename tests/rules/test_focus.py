"""spaCy tokenizes only the paragraphs around the names, and nothing a watch sees changes."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

from rules.engine import Engine, focus
from rules.load import RuleSet, Watch, load_rules
from rules.model import MatchResult
from rules.spec import SentencesScope, WatchSpec

LABELLED = Path(__file__).resolve().parents[1] / "data" / "labelled"


class WholeText(Engine):
    """The oracle: the same engine, tokenizing every article whole."""

    def _reach(self, lang: str, source: str, found: object) -> None:
        return None


def test_far_paragraphs_are_blanked_and_offsets_hold() -> None:
    text = "alpha one.\n\nbeta two. gamma.\ndelta three.\n\n\nepsilon four."
    places = [text.index("gamma")]
    near = focus(text, places, 0)
    assert len(near) == len(text)
    assert near[text.index("beta") : text.index("delta")] == "beta two. gamma.\n"
    assert near.split() == ["beta", "two.", "gamma."]
    wider = focus(text, places, 1)
    assert wider.split() == ["alpha", "one.", "beta", "two.", "gamma.", "delta", "three."]
    assert focus(text, places, None) == text
    assert focus(text, [], 0) == text
    assert focus(text, places, 5) == text


def _articles(lang: str, n: int, seed: int) -> list[str]:
    """Long articles in `lang`: its labelled passages, among them its passages that name
    no actor (look-alikes, other news) as the paragraphs far from the names."""
    rng = random.Random(seed)
    labelled = yaml.safe_load((LABELLED / f"{lang}.yaml").read_text(encoding="utf-8"))
    passages = [p["text"] for p in labelled]
    pairs = [p["text"] for p in labelled if len(p.get("actors", ())) >= 2]
    filler = [p["text"] for p in labelled if not p.get("actors")]
    out = []
    for _ in range(n):
        paras = [rng.choice(filler) for _ in range(rng.randint(3, 9))]
        for p in [rng.choice(pairs), *rng.sample(passages, 2)]:
            paras.insert(rng.randrange(len(paras) + 1), p)
        # Paragraphs split by blank lines and by single line breaks.
        out.append("".join(p + rng.choice(["\n\n", "\n", "\n \n"]) for p in paras))
    return out


def _watches() -> RuleSet:
    base = load_rules(
        [Path(__file__).resolve().parents[1] / "data/rules/watches.yaml"], shipped_watches=False
    )
    pair = WatchSpec(
        id="pair",
        pair=["RUS", "PRK"],
        relation="cooperation",
        scope=SentencesScope(sentences=2),
    )
    watches = (*base.watches, Watch(pair, "test", "1"))
    return RuleSet(base.actors, watches, base.cues)


def _as_seen(result: MatchResult) -> object:
    return (result.lang, result.mentions, result.hits)


@pytest.fixture(scope="module")
def engines() -> tuple[Engine, Engine]:
    """The engine and its oracle, sharing their compiled lexicons."""
    rules = _watches()
    fast, whole = Engine(rules), WholeText(rules)
    whole._lexicons = fast._lexicons
    return fast, whole


@pytest.mark.parametrize("lang", ["de", "en", "ru", "ko", "ja", "fr"])
def test_matching_around_the_names_sees_what_the_whole_text_shows(
    engines: tuple[Engine, Engine], lang: str
) -> None:
    fast, whole = engines
    fired = 0
    for text in _articles(lang, 10, seed=len(lang)):
        for declared in (lang, None):
            got = fast.match(text, lang=declared, all_actors=True)
            assert _as_seen(got) == _as_seen(whole.match(text, lang=declared, all_actors=True))
            fired += len(got.hits)
    assert fired  # the articles make watches fire: the comparison is not vacuous
