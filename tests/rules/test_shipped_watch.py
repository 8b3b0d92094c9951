"""The shipped watch as `wirewatch match` runs it: only the watched actors, no language given."""

from __future__ import annotations

import pytest

from rules.engine import Engine
from rules.inflect import fold
from rules.load import load_rules


@pytest.fixture(scope="module")
def shipped() -> Engine:
    return Engine(load_rules(shipped_watches=True))


def test_a_language_guessed_from_names_that_are_not_there_is_not_reported(
    shipped: Engine,
) -> None:
    # "Kim" keys North Korea's leader in Czech, Slovak, Hungarian...: the presearch makes
    # the text a candidate in those languages only, and no name is there after all.
    text = "GeForce Now (via Kim Ahlberg) and OnLive stream games to any screen."
    found = shipped.match(text)
    assert found.lang == "und" and not found.mentions
    assert shipped.match(text, lang="en").lang == "en"
    assert shipped.match("Kim Čong-un navštívil Moskvu.").lang == "cs"


def test_a_watched_name_inside_another_actors_name_is_that_actors(shipped: Engine) -> None:
    # Only Russia and North Korea are watched, but Belarus's longer names still win.
    for text, lang in (
        ("白俄罗斯总统卢卡申科访问北京。", "zh"),
        ("زار رئيس روسيا البيضاء لوكاشينكو بكين.", "ar"),
        ("Beyaz Rusya lideri Lukaşenko Pekin'i ziyaret etti.", "tr"),
    ):
        assert "RUS" not in shipped.match(text, lang=lang).mentions, text
        assert "RUS" not in shipped.match(text).mentions, text
    assert "RUS" in shipped.match("俄罗斯和白俄罗斯举行演习。", lang="zh").mentions


def test_a_weak_name_in_lower_case_is_the_word_where_the_text_writes_it_so(
    shipped: Engine,
) -> None:
    # Italian "russo": the adjective in lower case, the surname capitalized (weak).
    gas = shipped.match("L'Ue ha ridotto le importazioni di gas naturale liquefatto russo.")
    assert [m.text for m in gas.mentions["RUS"]] == ["russo"]
    troops = shipped.match("Le truppe nordcoreane combattono accanto all'esercito russo.")
    assert {"RUS", "PRK"} <= troops.mentions.keys() and troops.hits
    for text in (
        "Il sindaco Russo ha inaugurato la nuova piazza a Napoli.",
        "Russo e Bianchi hanno vinto il torneo di doppio.",
    ):
        assert "RUS" not in shipped.match(text).mentions, text
    # Next to a strong name the surname counts, as any weak name does.
    assert "RUS" in shipped.match("Il sindaco Russo ha incontrato Putin a Mosca.").mentions


def test_names_overrule_a_sure_detection_that_explains_few_of_them(shipped: Engine) -> None:
    # lingua (low accuracy) is sure this short Ukrainian text is Kazakh, where only
    # КНДР is a name; Ukrainian explains КНДР, Москві and Пхеньян.
    text = (
        "Розвідка повідомила, що КНДР передала Москві ще 2 мільйони снарядів. "
        "Пхеньян отримав натомість нафту."
    )
    result = shipped.match(text)
    assert result.lang == "uk"
    assert {"RUS", "PRK"} <= result.mentions.keys()


@pytest.mark.parametrize(
    ("text", "lang", "name"),
    [
        ("Путин Кремльде Ким Чен Ынды қабылдады.", "kk", "Ким Чен Ынды"),
        ("Պուտինը Կրեմլում ընդունել է Կիմ Չեն Ընին։", "hy", "Կիմ Չեն Ընին"),
    ],
)
def test_a_names_two_letter_last_word_takes_its_case_ending(
    shipped: Engine, text: str, lang: str, name: str
) -> None:
    result = shipped.match(text, lang=lang)
    assert [m.text for m in result.mentions["PRK"]] == [name]


def test_a_name_of_another_language_is_a_word_of_the_texts_own(shipped: Engine) -> None:
    # "Moscow" is an English name only, and "Russ" is Dutch "Rus" inflected: when the
    # text's function words say it is in another language, its words name nobody.
    for text, foreign in (
        (
            "Die Polizei in der Kleinstadt Moscow im US-Bundesstaat Idaho hat am Montag "
            "einen Verdächtigen festgenommen, teilte die Staatsanwaltschaft mit.",
            "en",
        ),
        (
            "Russ wrote the post about regular expressions that all of us read in the end, "
            "and then he went on to write another one about it.",
            "nl",
        ),
        # "Russia" is the country in English, Italian and 17 languages without a list
        # of function words (Cebuano, Corsican, Zulu...): the Spanish ones decide.
        (
            "El pueblo de Russia, en el estado de Ohio (Estados Unidos), celebra su feria "
            "anual del maíz con miles de visitantes",
            "it",
        ),
        # Dutch shares enough function words to be shortlisted; lingua tells them apart.
        (
            "Russ und Staub: die Luft in der Stadt ist im Winter schlechter als im Sommer, "
            "sagen die Forscher.",
            "nl",
        ),
    ):
        result = shipped.match(text)
        assert not result.mentions, text
        assert result.lang != foreign, text
    # In a text of its own language the name counts, as does English "Moscow" in English.
    dutch = "De Rus werd in Amsterdam gearresteerd nadat hij de grens was overgestoken."
    assert "RUS" in shipped.match(dutch).mentions
    english = "Officials in Moscow said on Monday that the talks with the delegation were over."
    assert "RUS" in shipped.match(english).mentions


def test_a_korean_text_with_hanja_is_korean(shipped: Engine) -> None:
    # 北 and 朝鮮中央通信 are Japanese names too; the Hangul says the text is Korean.
    result = shipped.match('北 조선중앙통신(朝鮮中央通信) "러시아와 전략적 협력 강화할 것"')
    assert result.lang == "ko"
    assert {"PRK", "RUS"} <= result.mentions.keys()


def test_a_text_with_kana_is_japanese(shipped: Engine) -> None:
    # 朝鮮 is North Korea in Chinese; Japanese leaves it out (朝鮮通信使, 朝鮮王朝), and
    # the kana say the text is Japanese, however many kanji it holds.
    result = shipped.match("江戸時代に日本を訪れた朝鮮通信使の資料を集めた特別展が開かれる。")
    assert result.lang == "ja" and not result.mentions
    result = shipped.match("北朝鮮の金正恩総書記はロシアのプーチン大統領と会談した。")
    assert result.lang == "ja" and {"PRK", "RUS"} <= result.mentions.keys()
    assert shipped.match("朝鲜与俄罗斯签署全面战略伙伴关系条约。").lang == "zh"


def test_names_of_languages_lingua_does_not_know_do_not_make_an_english_text_theirs() -> None:
    # Nigerian Pidgin's CLDR names for Norway, Jersey and Myanmar hold English
    # words ("we"); lingua does not know Pidgin, and the function words say English.
    engine = Engine(load_rules())
    text = (
        "Here we show that the cytokinin receptors play a role, and we argue for a "
        "revision of the concepts we studied."
    )
    assert engine.presearch(all_actors=True).scan(fold(text)).keys() == {"pcm"}
    assert engine.language(text) == "en"
