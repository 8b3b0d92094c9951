"""Relations between two actors: the watch condition, lists, places, direction, scores."""

from __future__ import annotations

from pathlib import Path

import pytest

from rules.cuebook import CueLexicon
from rules.engine import Engine
from rules.errors import RuleFileErrors
from rules.load import RuleSet, load_rules
from rules.model import Evidence
from rules.spec import CueSpec
from tests.rules.conftest import MULTI
from tests.rules.relation_report import LABELS, load_passages, pair_engine, run

# Floors from the scores when the sets were written (python -m tests.rules.relation_report);
# raise them when matching improves, never lower them to make a change pass.
DEV_F1 = {"cooperation": 0.97, "conflict": 0.97, "none": 0.97}
# The blind set was written before the cue lexicons of its 12 languages. Its
# four misses were two-actor compounds (북러, 朝露, 俄朝, "Rosja-Korea Płn.");
# since the name library gives both actors for them (issue #10) it scores 1.00
# in every class (2026-11-28): the floors leave room for one miss. The blind
# files of nl sv da nb fi et lv lt cs sk sl hr sr bs bg mk ro (blind/<lang>.yaml,
# issue #11) add three misses with the language detected: two names the library
# lacks (sl "Združene države"; da "Rusland", the text read as Swedish) and a compound that
# starts with a cue (et tehnoloogiaettevõtetele); blind then scores 0.98 / 0.97 / 0.97.
BLIND_F1 = {"cooperation": 0.97, "conflict": 0.95, "none": 0.95}

WATCH = """\
watches:
  - id: coop
    pair: [RUS, PRK]
    relation: cooperation
    scope: {sentences: 2}
  - id: conflict
    pair: [RUS, PRK]
    relation: conflict
cues:
  en:
    verbal_cooperation: [hobnobbed]
"""


@pytest.fixture(scope="module")
def library() -> RuleSet:
    return load_rules()


@pytest.fixture(scope="module")
def relations(library: RuleSet) -> Engine:
    passages = load_passages("dev") + load_passages("blind")
    return pair_engine(passages, library)


@pytest.fixture(scope="module")
def pair(library: RuleSet, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    path = tmp_path_factory.mktemp("rel") / "w.yaml"
    path.write_text(WATCH, encoding="utf-8")
    return Engine(load_rules([path], shipped_watches=True))


def fired(engine: Engine, text: str, lang: str | None = None) -> dict[str, list[Evidence]]:
    """The watches that fire on `text`, with their evidence."""
    return {h.watch_id: list(h.evidence) for h in engine.match(text, lang=lang).hits}


@pytest.mark.slow  # compiles the whole library in 14 languages (~30 s)
@pytest.mark.parametrize("name,floors", [("dev", DEV_F1), ("blind", BLIND_F1)])
def test_labelled_pairs_score_above_their_floors(
    relations: Engine, name: str, floors: dict[str, float]
) -> None:
    passages = load_passages(name)
    assert {p.lang for p in passages} >= {"ar", "ja", "ko", "pl", "ru", "tr", "uk", "zh"}
    score = run(relations, passages, detect=True)
    for label in LABELS:
        assert score.prf(label)[2] >= floors[label], (label, score.wrong)
    assert score.lookalikes_fired == []


def test_the_sets_hold_enough_lookalikes() -> None:
    passages = load_passages("dev") + load_passages("blind")
    assert sum(1 for p in passages if p.kind == "enumeration") >= 40
    assert {p.label for p in passages} == set(LABELS)


@pytest.mark.parametrize(
    "text",
    [
        "China, Russia, Iran and North Korea present complex threats to the United States.",
        "Cina, Russia, Iran e Corea del Nord usano sempre più le operazioni informatiche.",
        "США включили Россию, Китай, Иран, Северную Корею и Пакистан в список ядерных угроз.",
        "미국 정보당국은 중국, 러시아, 이란, 북한을 미국에 대한 주요 위협국으로 지목했습니다.",
        "中国、ロシア、北朝鮮、イランの4か国は協力を深めている。",
        "北京、莫斯科、德黑兰和平壤已经表现出加强合作的意愿。",
        "У списку загроз Китай, Росія, Іран і Північна Корея посилюють співпрацю.",
        "延边朝鲜族自治州靠近朝鲜和俄罗斯，贸易合作频繁。",
    ],
)
def test_lists_and_places_are_no_pair_even_with_a_cue(pair: Engine, text: str) -> None:
    assert fired(pair, text) == {}


def test_a_cue_outside_the_list_ties_the_pair(pair: Engine) -> None:
    text = (
        "China, Russia, Iran and North Korea were named as threats. "
        "Moscow has since signed a defence pact with Pyongyang."
    )
    [e] = fired(pair, text, "en")["coop"]
    assert e.relation is not None
    assert e.text == "Moscow has since signed a defence pact with Pyongyang."
    assert e.relation.source == "RUS" and e.relation.target == "PRK"


def test_the_cue_words_class_and_direction_are_in_the_evidence(pair: Engine) -> None:
    text = "North Korea has supplied Russia with millions of artillery shells."
    [e] = fired(pair, text, "en")["coop"]
    r = e.relation
    assert r is not None
    assert (r.cls, r.source, r.target, r.how) == ("material_cooperation", "PRK", "RUS", "mentions")
    assert [(c.text, c.cls) for c in r.cues] == [
        ("supplied", "material_cooperation"),
        ("artillery shells", "material_cooperation"),
    ]
    assert all(text[c.start : c.end] == c.text for c in r.cues)


@pytest.mark.parametrize(
    "text,lang,source,target",
    [
        ("북한은 러시아에 포탄을 제공했다.", "ko", "PRK", "RUS"),
        ("北朝鮮はロシアに砲弾を供与した。", "ja", "PRK", "RUS"),
        ("Kuzey Kore, Rusya'ya top mermisi gönderdi.", "tr", "PRK", "RUS"),
        ("Россия и КНДР подписали договор.", "ru", None, None),
    ],
)
def test_direction_from_particles_and_word_order(
    pair: Engine, text: str, lang: str, source: str | None, target: str | None
) -> None:
    [e] = fired(pair, text, lang)["coop"]
    assert e.relation is not None
    assert (e.relation.source, e.relation.target) == (source, target)


def test_two_sentences_only_with_sentences_scope(pair: Engine) -> None:
    text = "Kim Jong Un arrived in Vladivostok. He was greeted by Russian officials."
    hits = fired(pair, text, "en")
    assert hits["coop"][0].relation is not None and hits["coop"][0].relation.sentences == 2
    assert "conflict" not in hits


def test_coordinated_pair_against_a_third_is_not_conflict_between_them(pair: Engine) -> None:
    text = "Russia and North Korea condemned the United States for its drills."
    assert "conflict" not in fired(pair, text, "en")


def test_a_user_file_adds_cue_words(pair: Engine) -> None:
    assert "coop" in fired(pair, "Russia hobnobbed with North Korea.", "en")
    assert {"talks", "hobnobbed"} <= set(pair.rules.cues["en"].verbal_cooperation)


BROKEN = """\
watches:
  - id: one
    pair: [RUS]
    relation: friendship
  - id: two
    all: [RUS]
    relation: cooperation
  - id: three
    pair: [RUS, PKR]
    scope: paragraph
  - id: four
    any: [RUS]
    scope: {sentences: 2}
cues:
  en:
    verbal_cooperation: [talks, "  "]
    verbal_copperation: [chat]
"""


def test_cue_words_are_inflected_like_names_in_issue_10s_languages(pair: Engine) -> None:
    # rules/cues/cs.yaml lists the dictionary form smlouva; the paradigm
    # rules/suffixes.py gives Czech names declines it (smlouvu, smlouvy).
    for text in ("Rusko a KLDR podepsaly smlouvu.", "Rusko a KLDR podepsaly smlouvy."):
        [evidence] = fired(pair, text, "cs")["coop"]
        assert evidence.relation is not None
        assert [c.text for c in evidence.relation.cues] == ["podepsaly", text.split()[-1][:-1]]
    # A longer word that starts with a form is another word (bargaining).
    assert "coop" not in fired(pair, "Rusko a KLDR: smlouvání o cenách.", "cs")
    # Serbian cues are declined in the script they are written in.
    for text in ("Русија и Северна Кореја потписале су споразум.", "Rusija i DNRK: sporazumu."):
        [evidence] = fired(pair, text, "sr")["coop"]
        assert evidence.relation is not None
        assert evidence.relation.cues[-1].text.startswith(("споразум", "sporazum"))


def test_bosnian_and_norwegian_use_their_cues_without_a_spacy_pipeline_of_their_own(
    pair: Engine,
) -> None:
    # spaCy has no blank "bs" or "no": their texts are split by the multi-language
    # pipeline, and the cues are still looked up under the article's language.
    for text, lang in (
        ("Rusija je uputila humanitarnu pomoć Sjevernoj Koreji.", "bs"),
        ("Russland og Nord-Korea undertegnet en avtale.", "no"),
    ):
        [evidence] = fired(pair, text, lang)["coop"]
        assert evidence.relation is not None and evidence.relation.cls == "material_cooperation"


def test_relation_errors_name_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(RuleFileErrors) as e:
        load_rules([MULTI, path], shipped_actors=False)
    lines = str(e.value).splitlines()
    assert lines[0] == (
        f"{path}:3:11: watches.0.pair: a pair is two different actors, e.g. [RUS, PRK]"
    )
    assert lines[1].startswith(f"{path}:4:15: watches.0.relation: input should be 'cooperation'")
    assert lines[2:] == [
        f"{path}:16:25: cues.en.verbal_cooperation: empty cue",
        f"{path}:17:5: unknown key 'verbal_copperation' (did you mean 'verbal_cooperation'?)",
    ]
    fixed = BROKEN.replace("[RUS]\n    relation: friendship", "[RUS, PRK]").replace(
        ', "  "]\n    verbal_copperation: [chat]', "]"
    )
    path.write_text(fixed, encoding="utf-8")
    with pytest.raises(RuleFileErrors) as e:
        load_rules([MULTI, path], shipped_actors=False)
    assert str(e.value).splitlines() == [
        f"{path}:6:5: 'relation' needs a 'pair' of two actors",
        f"{path}:8:17: unknown actor 'PKR' (did you mean 'PRK'?)",
        f"{path}:9:12: a 'pair' is looked for in sentences: use scope 'sentence' or "
        "{sentences: N}",
        f"{path}:12:12: scope {{sentences: N}} is for watches with a 'pair'",
    ]


def test_without_cue_words_a_watch_may_fire_on_the_pair_alone(pair: Engine) -> None:
    text = "Rússland og Norður-Kórea undirrituðu samning."
    assert "is" not in pair.rules.cues
    # Only the shipped watch says `unclassified: true`.
    [(watch, [evidence])] = fired(pair, text, "is").items()
    assert watch == "russia-north-korea"
    assert evidence.relation is not None and evidence.relation.cls == "unclassified"
    assert fired(pair, "Kína, Rússland, Íran og Norður-Kórea eru ógn.", "is") == {}
    # 'og' joins lists in every language (rules/cues/_all.yaml).
    assert fired(pair, "Rússland, Íran og Norður-Kórea undirrituðu samning.", "is") == {}


@pytest.mark.parametrize(
    "text,lang,cue",
    [
        # Hebrew: the proclitics names take (ו, ב, ה) are on the cue word too.
        ("רוסיה וצפון קוריאה חתמו על ההסכם.", "he", "ההסכם"),
        # Hungarian: case suffixes on a stem (szerződés*).
        ("Oroszország és Észak-Korea szerződést kötött.", "hu", "szerződést"),
        # Swahili: subject and tense prefixes before a verb root (*kutana); sw has
        # no spaCy pipeline of its own and is tokenized by the multi-language one.
        ("Urusi na Korea Kaskazini walikutana mjini Moscow.", "sw", "walikutana"),
        # Persian: the noun of a compound verb, with the plural ‌ها.
        ("روسیه و کره شمالی همکاری‌ها را گسترش دادند.", "fa", "همکاری‌ها"),
    ],
)
def test_cue_words_take_the_affixes_of_their_language(
    pair: Engine, text: str, lang: str, cue: str
) -> None:
    [evidence] = fired(pair, text, lang)["coop"]
    assert evidence.relation is not None
    assert cue in [c.text for c in evidence.relation.cues]


def test_a_vowel_sign_continues_a_word() -> None:
    # रक्षा (defence) is not a word of सुरक्षा (security): ु is a mark, not a boundary.
    lex = CueLexicon("hi", CueSpec(material_cooperation=["रक्षा"]))
    assert lex.find("सुरक्षा परिषद", 0, 13) == []
    assert [f.kind for f in lex.find("रक्षा समझौता", 0, 12)] == ["material_cooperation"]


def test_an_arabic_comma_joins_a_list(pair: Engine) -> None:
    text = "آمریکا روسیه، چین، ایران و کره شمالی را بزرگ‌ترین تهدیدها خواند."
    assert fired(pair, text, "fa") == {}


def test_in_a_verb_final_language_the_last_cue_is_the_verb(pair: Engine) -> None:
    # "Russia accused North Korea of aid": the aid is what the accusation is about.
    hits = fired(pair, "रूस ने उत्तर कोरिया पर सहायता का आरोप लगाया।", "hi")
    assert "conflict" in hits and "coop" not in hits
