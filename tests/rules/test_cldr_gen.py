"""The shipped actor library is exactly what the CLDR generator makes of the curated files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from rules import cldr_gen
from rules.load import RuleSet, load_rules
from rules.spec import ActorSpec

ISO_CODES = Path("/usr/share/iso-codes/json/iso_3166-1.json")  # Debian iso-codes


@pytest.fixture(scope="module")
def shipped() -> RuleSet:
    return load_rules()


def test_regenerating_gives_the_committed_files_byte_for_byte(tmp_path: Path) -> None:
    import babel
    from babel.core import get_global

    header = (cldr_gen.ACTORS_DIR / "RUS.yaml").read_text(encoding="utf-8").splitlines()[0]
    made_with = f"CLDR {get_global('cldr')['version']} ({cldr_gen.made_with(babel.__version__)})"
    assert made_with in header, f"library made with another babel: {header}; run `make actors`"
    cldr_gen.generate(tmp_path)
    committed = {p.name: p.read_bytes() for p in cldr_gen.ACTORS_DIR.glob("*.yaml")}
    fresh = {p.name: p.read_bytes() for p in tmp_path.glob("*.yaml")}
    assert sorted(fresh) == sorted(committed)
    stale = [name for name in sorted(fresh) if fresh[name] != committed[name]]
    assert stale == [], f"run `make actors`: {stale[:5]}"


@pytest.mark.skipif(not ISO_CODES.exists(), reason="Debian iso-codes not installed")
def test_alpha3_ids_are_exactly_iso_3166_1() -> None:
    iso = {e["alpha_2"]: e["alpha_3"] for e in json.loads(ISO_CODES.read_text())["3166-1"]}
    assert cldr_gen.iso_alpha3() == iso


def test_every_shipped_actor_is_a_state_with_names_in_many_languages(shipped: RuleSet) -> None:
    rules = shipped
    assert len(rules.actors) == 249
    assert all(re.fullmatch(r"[A-Z]{3}", a) for a in rules.actors)
    rus = rules.actors["RUS"]
    assert rus.names["de"][0] == "Russland"  # CLDR first, curated after
    assert {"Путин", "Кремль", "РФ"} <= set(rus.names["ru"])
    assert len(rus.names) > 150
    assert "Weißrussland" in rus.exclude["de"]


def test_curated_drop_turns_a_cldr_name_into_a_weak_one(shipped: RuleSet) -> None:
    geo = shipped.actors["GEO"]
    assert "Georgia" not in geo.names["en"]
    assert "Georgia" in geo.weak["en"]
    assert "Atlanta, Georgia" in geo.exclude["en"]
    assert "Géorgie" in geo.names["fr"]


def test_cldr_display_names_become_matchable_names() -> None:
    assert cldr_gen.clean_name("Myanmar (Burma)", "en") == ["Myanmar", "Burma"]
    assert cldr_gen.clean_name("刚果（金）", "zh") == ["刚果"]
    assert cldr_gen.clean_name("Гонконг (САР)", "ru") == ["Гонконг"]
    others = frozenset({"china", "hong kong sar china"})
    assert cldr_gen.clean_name("RAE de Hong Kong (China)", "es", others) == ["RAE de Hong Kong"]
    assert cldr_gen.clean_name("Trinidad & Tobago", "en") == [
        "Trinidad & Tobago",
        "Trinidad and Tobago",
    ]
    assert cldr_gen.clean_name("Trinidad & Tobago", "fr") == ["Trinidad & Tobago"]


def test_a_name_two_regions_share_in_one_language_is_dropped() -> None:
    names = {
        "COD": {"zh": ["刚果"], "en": ["Congo - Kinshasa"]},
        "COG": {"zh": ["刚果"], "en": ["Congo - Brazzaville"]},
    }
    cldr_gen.drop_shared(names)
    assert names == {"COD": {"en": ["Congo - Kinshasa"]}, "COG": {"en": ["Congo - Brazzaville"]}}


def test_language_locales_come_before_their_regional_variants() -> None:
    order = cldr_gen.locale_order(["pt_PT", "de_CH", "pt", "de", "en_US_POSIX", "root", "sr_Latn"])
    assert order == [
        ("de", "de"),
        ("de", "de_CH"),
        ("pt", "pt"),
        ("pt", "pt_PT"),
        ("sr", "sr_Latn"),
    ]


def test_rendered_files_quote_language_codes_yaml_would_misread() -> None:
    actor = cldr_gen.Actor("NOR", "Norway", names={"no": ["Norge"], "nb": ["Norge"]})
    text = cldr_gen.render(actor, "Norway.")
    assert '"no": ["Norge"]' in text
    spec = ActorSpec.model_validate(yaml.safe_load(text))
    assert spec.id == "NOR"
    assert spec.names == {"nb": ["Norge"], "no": ["Norge"]}


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("names: {en: Russia}\n", "'names' must map languages to lists of names"),
        ("nmaes: {en: [Russia]}\n", "unknown keys ['nmaes']"),
        ("- just a list\n", "expected a mapping"),
    ],
)
def test_a_broken_curated_file_is_named_with_its_problem(
    tmp_path: Path, content: str, problem: str
) -> None:
    bad = tmp_path / "RUS.yaml"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(cldr_gen.GenerateError) as err:
        cldr_gen.read_curated(bad)
    assert str(err.value) == f"{bad}: {problem}"


def test_a_curated_file_for_an_unknown_id_fails_generation(tmp_path: Path) -> None:
    (tmp_path / "XYZ.yaml").write_text("names: {en: [Xyz]}\n", encoding="utf-8")
    with pytest.raises(cldr_gen.GenerateError, match="'XYZ' is not an ISO 3166-1 alpha-3 id"):
        cldr_gen.build_actors(tmp_path)


def test_dropping_a_name_cldr_does_not_have_fails_generation() -> None:
    actor = cldr_gen.Actor("GEO", "Georgia", names={"en": ["Georgia"]})
    with pytest.raises(cldr_gen.GenerateError, match=r"drop: \['Gorgia'\] are not CLDR names"):
        cldr_gen.merge_curated(actor, {"drop": {"en": ["Gorgia"]}}, "rules/curated/GEO.yaml")


CURATED = ("RUS", "PRK", "UKR", "USA", "CHN", "KOR", "IRN", "BLR")
TUNED_LANGS = ("de", "en", "fr", "es", "it", "pt", "pl", "ru", "uk", "ko", "ja", "zh", "ar", "tr")


@pytest.mark.parametrize("actor", CURATED)
def test_the_watched_states_are_curated_in_every_tuned_language(
    shipped: RuleSet, actor: str
) -> None:
    data = cldr_gen.read_curated(cldr_gen.CURATED_DIR / f"{actor}.yaml")
    assert sorted(set(TUNED_LANGS) - set(data["names"])) == []
    names = shipped.actors[actor].names
    assert all(len(names[lang]) >= 4 for lang in TUNED_LANGS)
