"""Properties of matching and of rule files, checked with generated inputs."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rules.engine import Engine
from rules.load import RuleSet, load_rules
from rules.spec import ActorSpec, RuleFile, WatchSpec, WithinScope
from tests.rules.conftest import DATA, MULTI

WORDS = [
    "Russland",
    "Russlands",
    "russischen",
    "Weißrussland",
    "Russia",
    "Russian",
    "dressing",
    "Moscow",
    ",",
    "Idaho",
    "North",
    "Korea",
    "South",
    "Kim",
    "Jong",
    "Un",
    "Kardashian",
    "России",
    "Кремле",
    "Республика",
    "Корея",
    "Rosji",
    "Rusya'nın",
    "북한이",
    "한국",
    "北朝鮮の",
    "俄罗斯总统",
    "وروسيا",
    "troops",
    "missile",
    "İstanbul",
    "Straße",
    "ǅ",
    ".",
    "!",
    "\n",
    "\n\n",
    "the",
    "and",
    "ПУТИН",
    "KCNA",
]
texts = st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=6)), max_size=30).map(" ".join)
langs = st.sampled_from([None, "de", "en", "ru", "ko", "ja", "zh", "ar", "tr", "pl"])
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

RULES = load_rules([MULTI, DATA / "watches.yaml"], shipped_actors=False)
ENGINE = Engine(RULES)


def signature(engine: Engine, text: str, lang: str | None) -> object:
    r = engine.match(text, lang=lang, all_actors=True)
    return (r.lang, r.mentions, [(h.watch_id, h.evidence) for h in r.hits])


@SETTINGS
@given(texts, langs)
def test_offsets_slice_the_input(text: str, lang: str | None) -> None:
    result = ENGINE.match(text, lang=lang, all_actors=True)
    for actor, mentions in result.mentions.items():
        for m in mentions:
            assert m.actor == actor
            assert text[m.start : m.end] == m.text
    for hit in result.hits:
        for e in hit.evidence:
            assert text[e.start : e.end] == e.text
            for m in e.mentions:
                assert e.start <= m.start <= m.end <= e.end
                assert text[m.start : m.end] == m.text


@SETTINGS
@given(texts, langs)
def test_match_is_deterministic(text: str, lang: str | None) -> None:
    first = signature(ENGINE, text, lang)
    assert signature(ENGINE, text, lang) == first
    assert signature(Engine(RULES), text, lang) == first


def with_exclusion(rules: RuleSet, actor: str, lang: str, phrase: str) -> RuleSet:
    a = rules.actors[actor]
    exclude = {k: list(v) for k, v in a.exclude.items()}
    exclude.setdefault(lang, []).append(phrase)
    actors = {**rules.actors, actor: a.model_copy(update={"exclude": exclude})}
    return RuleSet(actors, rules.watches, rules.cues)


@SETTINGS
@given(
    texts,
    st.sampled_from(["de", "en", "ru"]),
    st.sampled_from(["RUS", "PRK", "KOR"]),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join),
)
def test_an_extra_exclusion_never_adds_hits(text: str, lang: str, actor: str, phrase: str) -> None:
    before = ENGINE.match(text, lang=lang, all_actors=True)
    after = Engine(with_exclusion(RULES, actor, lang, phrase)).match(
        text, lang=lang, all_actors=True
    )
    assert {h.watch_id for h in after.hits} <= {h.watch_id for h in before.hits}
    for a, ms in after.mentions.items():
        if a == actor:
            assert set(ms) <= set(before.mentions.get(a, ()))


ids = st.from_regex(r"[A-Z][A-Z0-9_]{1,6}", fullmatch=True)
names = st.text(
    st.characters(categories=["L", "Nd"], exclude_characters="\x85\u2028\u2029"),
    min_size=1,
    max_size=12,
)
tables = st.dictionaries(
    st.sampled_from(["de", "en", "ru", "ko", "*"]),
    st.lists(names, min_size=1, max_size=3),
    max_size=3,
)
# Exclusions are phrases: a one-word one that is a form of a name is refused (rules.load).
phrases = st.dictionaries(
    st.sampled_from(["de", "en", "ru", "ko", "*"]),
    st.lists(st.tuples(names, names).map(" ".join), min_size=1, max_size=3),
    max_size=3,
)
actors = st.builds(
    ActorSpec,
    id=ids,
    name=st.none() | names,
    kind=st.sampled_from(["state", "person", "other"]),
    names=tables,
    weak=tables,
    exclude=phrases,
)


@st.composite
def watch_specs(draw: st.DrawFn, actor_ids: list[str]) -> WatchSpec:
    chosen = st.lists(st.sampled_from(actor_ids), min_size=1, max_size=2, unique=True)
    scope = draw(
        st.sampled_from(["sentence", "paragraph", "article"])
        | st.builds(WithinScope, within=st.integers(1, 50))
    )
    threshold = draw(st.none() | st.floats(0.5, 10).map(lambda f: round(f, 2)))
    all_ = draw(chosen)
    return WatchSpec(
        id=draw(ids).lower(),
        all=all_,
        any=draw(chosen),
        none=[],
        scope=scope,
        terms=draw(tables),
        threshold=threshold,
        weights={a: 2.0 for a in all_} if threshold else {},
        min_mentions=draw(st.integers(1, 3)),
        severity=draw(st.sampled_from(["low", "high"])),
        cooldown=draw(st.none() | st.just("6h")),
    )


@st.composite
def rule_files(draw: st.DrawFn) -> RuleFile:
    acts = draw(st.lists(actors, min_size=1, max_size=3, unique_by=lambda a: a.id))
    watches = draw(
        st.lists(watch_specs([a.id for a in acts]), max_size=3, unique_by=lambda w: w.id)
    )
    return RuleFile(version=draw(st.none() | st.just("7")), actors=acts, watches=watches)


@settings(max_examples=40, deadline=None)
@given(rule_files())
def test_rule_files_round_trip_through_yaml(tmp_path_factory: object, rf: RuleFile) -> None:
    folder = Path(tmp_path_factory.mktemp("rt"))  # type: ignore[attr-defined]
    path = folder / "rules.yaml"
    plain = rf.model_dump(mode="json", exclude_defaults=True)
    path.write_text(yaml.safe_dump(plain, allow_unicode=True), encoding="utf-8")
    loaded = load_rules([path], shipped_actors=False)
    assert list(loaded.actors.values()) == rf.actors
    assert [w.spec for w in loaded.watches] == rf.watches
