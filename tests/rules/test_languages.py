"""The shipped library in issue #10's languages: inflection, shorthand, look-alikes.

Each case is one sentence matched with its language declared; the labelled
set (tests/rules/test_labelled.py) scores whole passages.
"""

from __future__ import annotations

import pytest

from rules.engine import Engine
from rules.nlp import build_pipeline

FOUND = [
    ("nl", "Hoewel Noord-Korea en Rusland er een relatie op nahouden.", "PRK", "Noord-Korea"),
    ("nl", "Ruslands antwoord kwam snel.", "RUS", "Ruslands"),
    ("sv", "Rysslands president talade.", "RUS", "Rysslands"),
    ("cs", "S vůdcem Severní Koreje Kim Čong-unem.", "PRK", "Severní Koreje"),
    ("cs", "S vůdcem Severní Koreje Kim Čong-unem.", "PRK", "Kim Čong-unem"),
    ("cs", "Ruský ministr přiletěl do KLDR.", "RUS", "Ruský"),
    ("cs", "Ruský ministr přiletěl do KLDR.", "PRK", "KLDR"),
    ("cs", "Jednání v Rusku.", "RUS", "Rusku"),
    ("sk", "Vojaci zo Severnej Kórey.", "PRK", "Severnej Kórey"),
    ("hr", "Rusija je Sjevernoj Koreji isporučila naftu.", "PRK", "Sjevernoj Koreji"),
    ("sr", "Путин је у Кремљу.", "RUS", "Кремљу"),
    ("bg", "Руските войски.", "RUS", "Руските"),
    ("lt", "Rusijoje dirba darbininkai.", "RUS", "Rusijoje"),
    ("lv", "Krievijas prezidents.", "RUS", "Krievijas"),
    ("fi", "Kim Jong-un vieraili Venäjällä.", "RUS", "Venäjällä"),
    # A demonym's stem as the first half of a compound, and the demonym inflected whole.
    ("fi", "Venäläisjoukot vetäytyivät Kurskista.", "RUS", "Venäläis"),
    ("fi", "Pohjoiskorealaissotilaat taistelevat rintamalla.", "PRK", "Pohjoiskorealais"),
    ("fi", "Pohjoiskorealaisten sotilaiden määrä kasvaa.", "PRK", "Pohjoiskorealaisten"),
    ("et", "Põhja-Korea saatis Venemaale sõdureid.", "RUS", "Venemaale"),
    ("hu", "Észak-Koreából katonák érkeztek Oroszországba.", "RUS", "Oroszországba"),
    ("hu", "Putyin és Kim Dzsong Un Phenjanban.", "PRK", "Phenjanban"),
    ("el", "Στρατιώτες της Βόρειας Κορέας.", "PRK", "Βόρειας Κορέας"),
    ("he", "צפון קוריאה שלחה חיילים לרוסיה.", "RUS", "לרוסיה"),
    ("fa", "رئيس‌جمهور روسیه با رهبر کره شمالی دیدار کرد.", "PRK", "کره شمالی"),
    ("hi", "उत्तर कोरिया के सैनिक रूस की ओर से लड़ रहे हैं।", "RUS", "रूस"),
    ("bn", "রাশিয়ার সেনারা এগিয়েছে।", "RUS", "রাশিয়ার"),
    ("ka", "ჩრდილოეთ კორეამ რუსეთს ჯარისკაცები გაუგზავნა.", "RUS", "რუსეთს"),
    ("hy", "Ուկրաինան մեղադրել է Ռուսաստանին։", "RUS", "Ռուսաստանին"),
    ("az", "Şimali Koreya Rusiyaya əsgər göndərib.", "RUS", "Rusiyaya"),
    ("kk", "Солтүстік Корея Ресейге әскер жіберді.", "RUS", "Ресейге"),
    ("ro", "Kremlinul a respins acuzațiile Ucrainei.", "UKR", "Ucrainei"),
    ("id", "Korea Utara dan Rusia.", "PRK", "Korea Utara"),
    ("vi", "Triều Tiên gửi quân sang Nga.", "RUS", "Nga"),
    ("th", "เกาหลีเหนือส่งทหารไปช่วยรัสเซีย", "RUS", "รัสเซีย"),
    ("pl", "Korea Płn. przeprowadziła próbę.", "PRK", "Korea Płn."),
    ("it", "La RPDC ha lanciato un missile.", "PRK", "RPDC"),
    ("ko", "北, 러에 6000명 2차 파병", "PRK", "北"),
    ("ja", "正恩氏、発射を視察", "PRK", "正恩氏"),
    ("zh", "朝鮮12月31日發射彈道導彈", "PRK", "朝鮮"),
    # Hyphenated names written with a space, as feeds often do.
    ("nl", "Noord Korea test opnieuw een raket.", "PRK", "Noord Korea"),
    ("fi", "Pohjois Korea lähetti joukkoja.", "PRK", "Pohjois Korea"),
    ("de", "Kim Jong un besuchte eine Fabrik.", "PRK", "Kim Jong un"),
    # Headline word order, Egyptian spelling, the adjective in a compound (lower case).
    ("pl", "Północna Korea wystrzeliła rakietę.", "PRK", "Północna Korea"),
    ("ar", "استقبل بوتين كيم جونج أون.", "PRK", "كيم جونج أون"),
    ("fr", "Le conflit russo-ukrainien entre dans sa quatrième année.", "RUS", "russo"),
    ("ko", "북측은 제안에 답하지 않았다.", "PRK", "북측은"),
]

SILENT = [
    ("nl", "Wit-Rusland sloot de grens.", "RUS"),
    ("fi", "Valko-Venäjällä järjestettiin vaalit.", "RUS"),
    ("cs", "Zahráli si ruskou ruletu.", "RUS"),
    ("vi", "Ca sĩ Thu Nga ra mắt album.", "RUS"),
    ("zh", "其中俄罗斯代表团人数最多", "CHN"),
    ("ja", "秘密を暴露した記者", "RUS"),
    ("ko", "여러 나라가 참석했다.", "RUS"),
    ("ko", "북쪽 지방에 눈이 많이 내렸다.", "PRK"),
    ("ko", "배우 김정은이 새 드라마에 출연한다.", "PRK"),
    ("fr", "Les frères Russo préparent un nouveau film.", "RUS"),
    ("pt", "O diretor Joe Russo visitou o festival.", "RUS"),
    ("nl", "Wit Rusland sloot de grens.", "RUS"),
    ("nl", "Russische eieren met tonijnsalade.", "RUS"),
    ("pl", "Wypadek w miejscowości Ruska Wieś.", "RUS"),
    ("sk", "Cesta do obce Ruská Bystrá je uzavretá.", "RUS"),
]


# Two-actor compounds are one name of both actors and count for each.
COMPOUNDS = [
    ("ko", "북러 밀착에 한미일 공조 강화", {"PRK", "RUS", "KOR", "USA"}),
    ("ja", "露朝条約が発効", {"RUS", "PRK"}),
    ("ja", "米韓首脳が会談", {"USA", "KOR"}),
    ("zh", "中俄关系处于历史最好时期", {"CHN", "RUS"}),
    ("zh", "朝俄条约正式生效", {"PRK", "RUS"}),
]


@pytest.mark.parametrize(("lang", "text", "actors"), COMPOUNDS)
def test_a_two_actor_compound_counts_for_both(
    engine: Engine, lang: str, text: str, actors: set[str]
) -> None:
    result = engine.match(text, lang=lang, all_actors=True)
    assert actors <= set(result.mentions), result.mentions


# Compiling some 40 languages of the shipped library takes a minute.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def engine(library_engine: Engine) -> Engine:
    return library_engine


@pytest.mark.parametrize(("lang", "text", "actor", "expected"), FOUND)
def test_name_is_found(engine: Engine, lang: str, text: str, actor: str, expected: str) -> None:
    result = engine.match(text, lang=lang, all_actors=True)
    found = [m.text for m in result.mentions.get(actor, ())]
    assert expected in found, (lang, text, result.mentions)


@pytest.mark.parametrize(("lang", "text", "actor"), SILENT)
def test_look_alike_is_silent(engine: Engine, lang: str, text: str, actor: str) -> None:
    result = engine.match(text, lang=lang, all_actors=True)
    assert actor not in result.mentions, (lang, text, result.mentions)


def test_thai_is_split_per_character() -> None:
    doc = build_pipeline("th")("รัสเซียและจีน")
    assert [t.text for t in doc][:3] == ["ร", "ั", "ส"]


def test_a_language_without_rules_of_its_own_matches_cldr_names(engine: Engine) -> None:
    # Swahili has no paradigm in rules/suffixes.py: CLDR's names match as whole tokens.
    result = engine.match("Urusi na Korea Kaskazini zimesaini mkataba.", lang="sw", all_actors=True)
    assert {"RUS", "PRK"} <= set(result.mentions)
    inside = engine.match("Waurusiwa walifika.", lang="sw", all_actors=True)
    assert "RUS" not in inside.mentions
