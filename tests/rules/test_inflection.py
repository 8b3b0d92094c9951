"""Names match inflected, whole tokens only, in each supported language."""

from __future__ import annotations

import pytest

from rules.engine import Engine

FOUND = [
    # (language, text, actor, the mention the engine must report)
    ("de", "Die Haltung Russlands ist klar.", "RUS", "Russlands"),
    ("de", "Mit russischen Soldaten.", "RUS", "russischen"),
    ("de", "Nordkoreas Führung schweigt.", "PRK", "Nordkoreas"),
    ("de", "Die nordkoreanischen Truppen.", "PRK", "nordkoreanischen"),
    ("de", "Putins Sprecher.", "RUS", "Putins"),
    ("de", "Moskaus Antwort.", "RUS", "Moskaus"),
    ("de", "Die Putin-Regierung schweigt.", "RUS", "Putin"),
    ("de", "Der Russland-Nordkorea-Pakt.", "PRK", "Nordkorea"),
    ("en", "Russia's army moved.", "RUS", "Russia"),
    ("en", "Two Russians were seen.", "RUS", "Russians"),
    ("en", "the KREMLIN said", "RUS", "KREMLIN"),
    ("fr", "La Russie a répondu.", "RUS", "Russie"),
    ("fr", "Des soldats russes.", "RUS", "russes"),
    ("fr", "Les troupes nord-coréennes.", "PRK", "nord-coréennes"),
    ("es", "Tropas rusas en la frontera.", "RUS", "rusas"),
    ("es", "El líder norcoreano.", "PRK", "norcoreano"),
    ("it", "I soldati russi.", "RUS", "russi"),
    ("pt", "Tropas russas.", "RUS", "russas"),
    ("pt", "A Coreia do Norte anunciou.", "PRK", "Coreia do Norte"),
    ("pl", "Prezydent Rosji powiedział.", "RUS", "Rosji"),
    ("pl", "Według rosyjskiego ministra.", "RUS", "rosyjskiego"),
    ("pl", "W Moskwie było zimno.", "RUS", "Moskwie"),
    ("pl", "Rosyjscy dyplomaci przyjechali.", "RUS", "Rosyjscy"),
    ("pl", "Rozmowa z Putinem.", "RUS", "Putinem"),
    ("pl", "Delegacja Korei Północnej.", "PRK", "Korei Północnej"),
    ("ru", "Президент России заявил.", "RUS", "России"),
    ("ru", "Переговоры с Россией.", "RUS", "Россией"),
    ("ru", "В Кремле ответили.", "RUS", "Кремле"),
    ("ru", "Слова Путина.", "RUS", "Путина"),
    ("ru", "Встреча с Путиным.", "RUS", "Путиным"),
    ("ru", "Делегация из Пхеньяна.", "PRK", "Пхеньяна"),
    ("ru", "Десять северокорейских военных.", "PRK", "северокорейских"),
    (
        "ru",
        "Посол Корейской Народно-Демократической Республики.",
        "PRK",
        "Корейской Народно-Демократической Республики",
    ),
    ("ru", "Сообщает ТАСС.", "RUS", "ТАСС"),
    ("uk", "Президент Росії заявив.", "RUS", "Росії"),
    ("uk", "Багато росіян поїхали.", "RUS", "росіян"),
    ("uk", "Відповідь Кремля.", "RUS", "Кремля"),
    ("tr", "Rusya'nın açıklaması geldi.", "RUS", "Rusya'nın"),
    ("tr", "Heyet Rusya'ya gitti.", "RUS", "Rusya'ya"),
    ("tr", "Kuzey Kore'nin füzesi.", "PRK", "Kuzey Kore'nin"),
    ("tr", "Rus askerleri.", "RUS", "Rus"),
    ("ko", "북한이 미사일을 발사했다.", "PRK", "북한이"),
    ("ko", "러시아와 협력한다.", "RUS", "러시아와"),
    ("ko", "북-러 정상회담.", "PRK", "북"),
    ("ko", "북-러 정상회담.", "RUS", "러"),
    ("ko", "푸틴은 말했다.", "RUS", "푸틴은"),
    ("ko", "러시아군은 작전을 벌였다.", "RUS", "러시아군은"),
    ("ja", "北朝鮮のミサイル発射。", "PRK", "北朝鮮"),
    ("ja", "ロシアと北朝鮮", "RUS", "ロシア"),
    ("zh", "俄罗斯总统普京表示。", "RUS", "俄罗斯"),
    ("zh", "俄罗斯总统普京表示。", "RUS", "普京"),
    ("zh", "朝鲜领导人金正恩。", "PRK", "金正恩"),
    ("ar", "وروسيا أعلنت.", "RUS", "وروسيا"),
    ("ar", "اجتماع بروسيا.", "RUS", "بروسيا"),
    ("ar", "قال الكرملين إن.", "RUS", "الكرملين"),
    ("ar", "وقال بالكرملين.", "RUS", "بالكرملين"),
    ("ar", "رسالة للكرملين.", "RUS", "للكرملين"),
    ("ar", "القوات الروسية.", "RUS", "الروسية"),
    ("ar", "وزير خارجية كوريا الشمالية.", "PRK", "كوريا الشمالية"),
]

SILENT = [
    # Never inside another word, never an exclusion, never another actor's name.
    ("de", "Die Russlandreise fällt aus.", "RUS"),
    ("de", "Borussia Dortmund gewinnt.", "RUS"),
    ("de", "Weißrussland und Weißrusslands Präsident.", "RUS"),
    ("de", "Es gab russische Eier und Russisch Brot.", "RUS"),
    ("de", "Südkorea und Südkoreas Präsident.", "PRK"),
    ("en", "Pass the Russian dressing.", "RUS"),
    ("en", "He lives in Moscow, Idaho.", "RUS"),
    ("en", "Trade with White Russia.", "RUS"),
    ("en", "Kim Kardashian posted a photo.", "PRK"),
    ("en", "The Republic of Korea votes.", "PRK"),
    ("fr", "Les montagnes russes du parc.", "RUS"),
    ("es", "Subimos a la montaña rusa.", "RUS"),
    ("ru", "Республика Корея голосует.", "PRK"),
    ("ru", "Путина — рыболовный сезон.", "PRK"),
    ("ko", "한국이 발표했다.", "PRK"),
    ("ko", "북쪽으로 간다.", "PRK"),
    ("ja", "韓国の大統領。", "PRK"),
    ("pl", "Rosyjskie kosmetyki z Francji.", "PRK"),
]


@pytest.mark.parametrize(("lang", "text", "actor", "expected"), FOUND)
def test_inflected_name_is_found(
    engine: Engine, lang: str, text: str, actor: str, expected: str
) -> None:
    result = engine.match(text, lang=lang, all_actors=True)
    found = [m.text for m in result.mentions.get(actor, ())]
    assert expected in found, (lang, text, result.mentions)
    for ms in result.mentions.values():
        for m in ms:
            assert text[m.start : m.end] == m.text


@pytest.mark.parametrize(("lang", "text", "actor"), SILENT)
def test_look_alike_is_silent(engine: Engine, lang: str, text: str, actor: str) -> None:
    result = engine.match(text, lang=lang, all_actors=True)
    assert actor not in result.mentions, (lang, text, result.mentions)


def test_other_actor_wins_a_longer_name(engine: Engine) -> None:
    result = engine.match(
        "Trade with White Russia and the Republic of Korea.", lang="en", all_actors=True
    )
    assert [m.text for m in result.mentions["BLR"]] == ["White Russia"]
    assert [m.text for m in result.mentions["KOR"]] == ["Republic of Korea"]


def test_weak_name_needs_a_strong_name_of_the_same_actor(engine: Engine) -> None:
    alone = engine.match("Kim said nothing.", lang="en", all_actors=True)
    assert "PRK" not in alone.mentions
    both = engine.match("Kim Jong Un spoke. Later Kim left.", lang="en", all_actors=True)
    assert [m.text for m in both.mentions["PRK"]] == ["Kim Jong Un", "Kim"]


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("ΡΩΣΙΑ και Ρωσίας", "ρωσια και ρωσιασ"),  # capitals drop accents; final sigma
        ("KİM JONG UN RUSYA'NIN", "kim jong un rusya'nin"),  # dotted capital İ, dotless ı
        ("روسيه و كره شمالي", "روسیه و کره شمالی"),  # Arabic yeh and kaf in Persian text
        ("أمريكا", "امریکا"),  # alef with hamza, Arabic yeh and kaf
        ("Обʼєднане Королівство", "об'єднане королівство"),  # the apostrophe letter
        ("&quot;Russland&quot; L&#39;Italia", "      russland       l     italia"),
    ],
)
def test_fold_writes_each_letter_one_way_at_the_same_length(text: str, folded: str) -> None:
    from rules.inflect import fold

    assert fold(text) == folded
    assert len(fold(text)) == len(text)


@pytest.mark.parametrize(
    ("lang", "text", "actor", "expected"),
    [
        ("el", "Η ΡΩΣΙΑ ΚΑΙ Η ΒΟΡΕΙΑ ΚΟΡΕΑ ΥΠΕΓΡΑΨΑΝ ΣΥΜΦΩΝΙΑ", "PRK", "ΒΟΡΕΙΑ ΚΟΡΕΑ"),
        ("el", "ΣΤΡΑΤΙΩΤΕΣ ΤΗΣ ΡΩΣΙΑΣ ΣΤΑ ΣΥΝΟΡΑ", "RUS", "ΡΩΣΙΑΣ"),
        ("tr", "KİM JONG UN FÜZE DENEMESİNİ İZLEDİ", "PRK", "KİM JONG UN"),
        ("tr", "RUSYA'NIN YENİ HAMLESİ", "RUS", "RUSYA'NIN"),
        ("fa", "رهبر كره شمالي از كارخانه بازديد كرد", "PRK", "كره شمالي"),
        ("nl", "Zelensky: &#8216;Rusland moet betalen&#8217;", "RUS", "Rusland"),
    ],
)
def test_names_are_found_however_feeds_write_their_letters(
    library_engine: Engine, lang: str, text: str, actor: str, expected: str
) -> None:
    result = library_engine.match(text, lang=lang, all_actors=True)
    assert expected in [m.text for m in result.mentions.get(actor, ())], result.mentions
