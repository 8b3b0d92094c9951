"""The event fingerprint reads the same parts in every language (issue #16)."""

from __future__ import annotations

from datetime import date

from rules.fingerprint import Spans, agreement, fingerprint, name_key


def parts(title: str, text: str = "", published: date = date(2024, 8, 7)) -> set[str]:
    return set(fingerprint(title, text, published=published).parts)


def places(title: str) -> set[str]:
    return {p for p in parts(title) if p[0] in "pf"}


def test_one_place_in_every_script_and_inflection() -> None:
    kursk = places("Fighting near Kursk")
    assert len(kursk) == 1
    for text in (
        "Бои в Курской области",
        "Бої на Курщині та в Курську",
        "쿠르스크주에서 교전",
        "クルスク州に越境攻撃",
        "Kämpfe bei Kursk",
    ):
        assert kursk <= places(text), text


def test_facilities_are_resolved_in_every_language() -> None:
    ids = [
        places(t)
        for t in ("Kim arrived at Vostochny", "Ким прибыл на Восточный", "보스토치니 우주기지")
    ]
    assert ids[0] == {"f:vostochny-cosmodrome"} and ids[0] <= ids[1] and ids[0] <= ids[2]


def test_numbers_are_the_same_however_they_are_written() -> None:
    for text in ("1,500 troops", "1.500 Soldaten", "1 500 солдат", "병력 1500명", "1500名"):
        assert "q:1500" in parts("x", text), text
    assert "q:16000" in parts("x", "16 тисяч людей")
    assert "q:16000" in parts("x", "16 tys. osób")
    assert "q:1500" not in parts("x", "at 15:00")


def test_dates_resolve_against_the_publication_date() -> None:
    published = date(2024, 1, 15)
    for text in ("on 14 January", "am 14. Januar", "14 января", "14일", "14日", "1月14日"):
        assert "d:2024-01-14" in parts("x", text, published), text
    assert "d:2024-01-14" in parts("x", "am Sonntag", published)  # the Sunday before
    assert "d:2024-01-14" in parts("x", "вчера", published)


def test_names_get_one_key_across_scripts_and_spellings() -> None:
    assert len({name_key(n) for n in ("Gerasimov", "Герасимов", "Gerassimow")}) == 1
    assert len({name_key(n) for n in ("Lavrov", "Лавров", "Ławrow", "Lawrow")}) == 1
    assert name_key("Gerasimov") != name_key("Lavrov")


def summit(title: str, text: str, published: date) -> set[str]:
    return set(fingerprint(title, text, published=published, actors=["RUS", "PRK"]).parts)


def test_place_and_date_outweigh_shared_actors() -> None:
    vostochny = summit(
        "Kim meets Putin at Vostochny",
        "The leaders met on Wednesday at the cosmodrome.",
        date(2023, 9, 13),
    )
    pyongyang = summit(
        "Putin arrives in Pyongyang", "Putin landed on Wednesday for talks.", date(2024, 6, 19)
    )
    same = vostochny & pyongyang
    joined = vostochny & summit(
        "Ким Чен Ын встретился с Путиным на Восточном", "Встреча прошла в среду.", date(2023, 9, 13)
    )
    df = {"a:RUS": 40, "a:PRK": 30}
    assert agreement(joined, df, 100).score > 2 * agreement(same, df, 100).score
    assert agreement(joined, df, 100).is_join(4.0, 2)
    assert not agreement(same, df, 100).is_join(4.0, 2)


def test_taken_spans_overlap_as_half_open_ranges() -> None:
    taken = Spans(20, [(2, 5)])
    taken.append((10, 12))
    taken.append((18, 40))  # past the end: clipped, not grown
    assert taken.overlaps(4, 6) and taken.overlaps(0, 3) and taken.overlaps(11, 11 + 5)
    assert not taken.overlaps(5, 10) and not taken.overlaps(0, 2) and not taken.overlaps(12, 18)
    assert taken.overlaps(19, 25) and not taken.overlaps(20, 25)
