"""Language detection's first step: function words shortlist the candidates lingua ranks."""

from __future__ import annotations

import yaml

from rules import lang, stopwords_gen
from rules.lang import LanguageDetector, shortlist

LATIN = frozenset(
    [
        "af",
        "az",
        "bs",
        "ca",
        "cs",
        "cy",
        "da",
        "de",
        "en",
        "eo",
        "es",
        "et",
        "eu",
        "fi",
        "fr",
        "ga",
        "hr",
        "hu",
        "id",
        "is",
        "it",
        "la",
        "lt",
        "lv",
        "ms",
        "nb",
        "nl",
        "no",
        "pl",
        "pt",
        "ro",
        "sk",
        "sl",
        "sq",
        "sv",
        "sw",
        "tl",
        "tr",
        "vi",
        "yo",
    ]
)


def test_a_german_text_is_shortlisted_among_few_languages() -> None:
    sample = (
        "Der russische Präsident Wladimir Putin hat am Dienstag mit dem Machthaber "
        "Kim Jong Un telefoniert, wie der Kreml mitteilte. Es ging um die Lage in der Region."
    )
    picked = shortlist(sample, LATIN)
    assert picked is not None
    assert "de" in picked
    assert len(picked) <= lang.SHORTLIST_MAX


def test_norwegian_no_reads_bokmal_words() -> None:
    sample = (
        "Russlands president Vladimir Putin sier at han ikke vil møte Kim Jong Un "
        "før det er en avtale."
    )
    picked = shortlist(sample, frozenset({"no", "en", "de", "fr", "es", "it", "pt", "pl", "cs"}))
    assert picked is not None and "no" in picked


def test_a_headline_of_names_is_not_shortlisted() -> None:
    # Too few function words: lingua ranks every candidate instead.
    assert shortlist("Putin, Kim Jong Un: KCNA 2025", LATIN) is None


def test_names_and_initials_are_not_function_words() -> None:
    # "Kim" is a Slovene function word and "U." a Slovene one-letter word: names and
    # initials are written capitalized, and only lower-case words count.
    assert (
        shortlist("N. Korean hackers stole $1.5 billion, U.S. officials said of Kim.", LATIN)
        is None
    )


def test_the_detector_ranks_a_shortlisted_text_without_the_other_models() -> None:
    detector = LanguageDetector()
    text = (
        "Le président russe Vladimir Putin a reçu Kim Jong Un au Kremlin, a indiqué "
        "la présidence dans un communiqué publié dans la soirée."
    )
    ranked = detector.rank(text, LATIN)
    assert ranked[0][0] == "fr"
    # One detector, for the shortlist only: never one over every Latin-script language.
    assert all(len(codes) <= lang.SHORTLIST_MAX for codes in detector._detectors)


def test_a_text_whose_function_words_are_everyones_is_ranked_among_its_likeliest() -> None:
    # la, del, de, se, al, en shortlist more than six languages: the six with the most
    # of them are ranked, not every Latin-script language (their models: 0.1-0.2 s).
    detector = LanguageDetector()
    text = "La reunión del consejo de administración se aplazó al jueves en la sede de la empresa."
    assert shortlist(text, LATIN) is None
    assert detector.rank(text, LATIN)[0][0] == "es"
    assert all(len(codes) <= lang.SHORTLIST_MAX for codes in detector._detectors)


def test_the_shipped_list_is_what_the_generator_makes() -> None:
    curated = yaml.safe_load(stopwords_gen.CURATED.read_text(encoding="utf-8"))
    made = stopwords_gen.render(stopwords_gen.build(curated, stopwords_gen.lingua_codes()))
    assert stopwords_gen.OUTPUT.read_text(encoding="utf-8") == made, "run `make stopwords`"
    frequent = stopwords_gen.render(stopwords_gen.frequent_words())
    assert stopwords_gen.FREQUENT_OUTPUT.read_text(encoding="utf-8") == frequent


def test_frequent_words_are_common_words_most_frequent_first() -> None:
    words = lang.frequent_words()
    assert set(words) == {"de", "el", "en", "es", "*"}
    assert words["*"]["north"] == words["en"]["north"] and "und" in words["*"]
    assert words["en"]["the"] < words["en"]["north"] < len(words["en"])
    assert {"north", "security", "state", "federal"} <= words["en"].keys()
    # Names are capitalized where the probabilities were counted: they are not in.
    assert not {"korea", "russia", "moscow", "putin"} & words["en"].keys()


def test_serbian_is_listed_in_both_scripts_and_bosnian_borrows_it() -> None:
    words = lang.stop_words()
    assert "sr" in words["је"] and "sr" in words["je"]
    assert "bs" in words["je"]


def test_a_larger_share_singles_out_a_text_whose_short_words_are_everyones() -> None:
    # de, en, el, la, su, con: function words of a dozen Latin-script languages.
    sample = (
        "El pueblo de Russia, en el estado de Ohio (Estados Unidos), celebra su feria "
        "anual del maíz con miles de visitantes"
    )
    wide = shortlist(sample, LATIN)  # six of these, none of the whole pool
    assert wide is None or len(wide) >= 5
    assert shortlist(sample, LATIN, share=2 / 3) == ("es", "ca")
