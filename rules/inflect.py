"""Inflected forms of one word of a name, per language (pure, no I/O).

Names are matched as sequences of tokens; each token of a name stands for
the set of its forms, so "Russland" also matches "Russlands" and "России"
matches the name "Россия". Forms are generated once, when a language's
matchers are compiled, never per article:

- ru, uk: every form of the word's paradigm from pymorphy3's dictionaries;
- de, en, fr, es, it, pt, nl, pl, tr: endings swapped or appended by rule
  (overgenerating a little is harmless: a form still has to be a whole token);
- ko: the name followed by a case particle (북한이, 러시아와);
- ar: proclitics in front (وروسيا, بروسيا, والكرملين) and endings behind;
- tr: the suffix after an apostrophe (Rusya'nın, Kore'nin, ABD'ye);
- ja, zh: nothing; those are matched per character, particles are tokens;
- the languages of rules.suffixes (cs, sk, hr, sr, bs, sl, bg, mk, lv, lt, fi,
  et, hu, el, he, fa, ur, hi, bn, az, kk, hy, ka, ro, sv, da, nb): their
  endings, suffixes and proclitics as data there;
- every other language (id, ms, vi, sw, th ...): the name as written.

Every form is lower-cased with `fold`, the same way texts are.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from rules.suffixes import has_paradigm, suffix_forms

# Appended to the base form (suffix languages).
_APPEND: dict[str, tuple[str, ...]] = {
    "de": ("s", "es", "e", "en", "er", "em", "n", "ns"),
    "en": ("s",),
    "fr": ("s", "e", "es", "ne", "nes", "x"),
    "es": ("s", "es"),
    "it": (),
    "pt": ("s", "es"),
    "nl": ("s", "e", "en", "se", "'s"),
    "tr": ("lar", "ler", "ları", "leri", "ların", "lerin", "ca", "ce", "ça", "çe", "lı", "li"),
}

# (ending of the base form, endings that replace it): adjectives and nouns.
_SWAP: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "es": (
        ("o", ("a", "os", "as")),
        ("a", ("as", "o", "os")),
        ("án", ("ana", "anes", "anas")),
        ("és", ("esa", "eses", "esas")),
        ("ín", ("ina", "ines", "inas")),
    ),
    "it": (("o", ("a", "i", "e")), ("a", ("e", "i", "o")), ("e", ("i",))),
    "pt": (
        ("o", ("a", "os", "as")),
        ("a", ("as", "o", "os")),
        ("ês", ("esa", "eses", "esas")),
        ("ão", ("ã", "ães", "ões", "ãs", "ãos")),
    ),
    "fr": (("en", ("enne", "ennes")), ("ain", ("aine", "aines"))),
    # German feminine demonyms in -in double the n in the plural: Russin, Russinnen;
    # Nordkoreanerin, Nordkoreanerinnen (the appended -n, -en make no such form).
    "de": (("in", ("innen",)),),
}

# Polish: declension endings by the ending of the base form (first match wins).
_PL_ADJ_I = ("i", "iego", "iemu", "im", "imi", "ich", "a", "ą", "ie", "iej")
_PL_ADJ_Y = ("y", "ego", "emu", "ym", "ymi", "ych", "a", "ą", "e", "ej")
_PL_NOUN_A = ("a", "y", "i", "ę", "ą", "o", "e", "ie", "om", "ami", "ach")
_PL_NOUN_C = ("a", "u", "owi", "em", "ie", "y", "i", "owie", "ów", "om", "ami", "ach", "e")
_PL_LOCATIVE = {
    "k": "ce",
    "g": "dze",
    "r": "rze",
    "t": "cie",
    "d": "dzie",
    "ł": "le",
    "n": "nie",
    "s": "sie",
    "z": "zie",
    "w": "wie",
    "m": "mie",
    "b": "bie",
    "p": "pie",
    "f": "fie",
}
_PL_RULES: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    # (base ending, characters to drop, endings to add)
    ("anin", 2, ("in", "ina", "inowi", "inem", "inie", "ie", "", "om", "ami", "ach")),
    # -ski/-cki: also the masculine-personal plural -scy/-ccy (rosyjscy, amerykańscy).
    ("ski", 2, (*(f"k{e}" for e in _PL_ADJ_I), "cy")),
    ("cki", 2, (*(f"k{e}" for e in _PL_ADJ_I), "cy")),
    ("gi", 1, _PL_ADJ_I),
    ("ki", 1, _PL_ADJ_I),
    ("ska", 1, _PL_ADJ_I),
    ("cka", 1, _PL_ADJ_I),
    ("y", 1, (*_PL_ADJ_Y, "i", "", "om", "ami", "ach")),
    ("na", 1, _PL_ADJ_Y + _PL_NOUN_A),
    ("wa", 1, _PL_ADJ_Y + _PL_NOUN_A),
    ("ja", 1, ("a", "i", "ę", "ą", "o")),
    ("ia", 1, ("a", "i", "ii", "ę", "ą", "o")),
    ("ea", 1, ("a", "i", "ę", "ą", "o")),
    ("a", 1, _PL_NOUN_A),
    ("o", 1, _PL_NOUN_C),
    ("e", 0, ("",)),
)

# Korean particles (case markers, topic, "and", "with", ...), after the last word.
_KO_PARTICLES = (
    "이",
    "가",
    "은",
    "는",
    "을",
    "를",
    "의",
    "와",
    "과",
    "에",
    "에서",
    "에게",
    "에게서",
    "께",
    "로",
    "으로",
    "로서",
    "으로서",
    "로부터",
    "으로부터",
    "도",
    "만",
    "까지",
    "부터",
    "이나",
    "나",
    "랑",
    "이랑",
    "하고",
    "에는",
    "에서는",
    "에도",
    "와의",
    "과의",
    "과는",
    "와는",
    "으로는",
    "로는",
    "이다",
    "이며",
    "이고",
    "이라",
    "라",
    "측",
    "측은",
    "측이",
    "측의",
    "측과",
    "쪽",
    "산",
    "인",
    "에선",
    "보다",
    "처럼",
    "마저",
    "조차",
    "간",
    "간의",
)

# Korean nouns made from a name (러시아군 "Russian army", 한국행 "bound for Korea"),
# themselves followed by particles or not.
_KO_NOUN_SUFFIXES = (
    "군",
    "측",
    "산",
    "행",
    "발",
    "계",
    "인",
    "제",
    "정부",
    "당국",
    "대사관",
    "국민",
    "내",
)

# Arabic proclitics (conjunctions, prepositions) in front of the first word,
# and endings (feminine, plural, nisba) behind the last one.
_AR_PREFIXES = ("و", "ف", "ب", "ل", "ك", "وب", "ول", "فب", "فل", "وك")
_AR_SUFFIXES = ("ة", "ي", "ية", "يا", "ون", "ين", "يون", "يين", "ان", "يان", "ه", "ها")
_AR_ARTICLE = "ال"

# Turkish case and possessive suffixes written after an apostrophe on names.
_TR_SUFFIXES = (
    "",
    "a",
    "e",
    "ya",
    "ye",
    "ı",
    "i",
    "u",
    "ü",
    "yı",
    "yi",
    "yu",
    "yü",
    "ın",
    "in",
    "un",
    "ün",
    "nın",
    "nin",
    "nun",
    "nün",
    "da",
    "de",
    "ta",
    "te",
    "dan",
    "den",
    "tan",
    "ten",
    "daki",
    "deki",
    "taki",
    "teki",
    "la",
    "le",
    "yla",
    "yle",
    "nda",
    "nde",
    "ndan",
    "nden",
    "ndaki",
    "ndeki",
    "na",
    "ne",
    "nı",
    "ni",
    "nu",
    "nü",
    "lı",
    "li",
    "lu",
    "lü",
    "ca",
    "ce",
    "dır",
    "dir",
)
_APOSTROPHES = ("'", "’")
_NO_INFLECTION = frozenset({"ja", "zh", "th"})


# Letters feeds write in more than one way, each mapped to one (one for one, so
# offsets hold): Turkish dotless ı (capitals lose the dot: RUSYA'NIN, Rusya'nın);
# Greek accents, which capitals drop (ΡΩΣΙΑ, Ρωσία), and the final sigma; Arabic
# and Persian yeh and kaf (روسيه, روسیه; كره, کره), alef with hamza or madda
# (أمريكا, امريكا) and ta marbuta written as heh; apostrophes (Обʼєднане, Об'єднане).
_VARIANTS = dict(
    {
        "ı": "i",
        **dict.fromkeys("άἀἁὰᾶ", "α"),
        **dict.fromkeys("έἐἑὲ", "ε"),
        **dict.fromkeys("ήἠἡὴῆ", "η"),
        **dict.fromkeys("ίϊΐἰἱὶῖ", "ι"),
        **dict.fromkeys("όὀὁὸ", "ο"),
        **dict.fromkeys("ύϋΰὐὑὺῦ", "υ"),
        **dict.fromkeys("ώὠὡὼῶ", "ω"),
        "ς": "σ",
        "ي": "ی",
        "ى": "ی",
        "ك": "ک",
        **dict.fromkeys("أإآٱ", "ا"),
        "ة": "ه",
        **dict.fromkeys("’ʼʹ′", "'"),
    }
)
# Found by a regex and replaced one by one: str.translate with this table costs
# ~0.2 ms on a 3 KB text, most of the engine's time per article.
_VARIANT = re.compile("[" + "".join(_VARIANTS) + "]")
# HTML character references a feed left in its text (&quot;Russland, L&#39;Italia).
_ENTITY = re.compile(r"&(?:[a-zA-Z][a-zA-Z0-9]{1,9}|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});")


# Demonym stems that are the first half of compounds (Finnish venäläisjoukot,
# pohjoiskorealaissotilaat): rules.nlp splits words after them, and the presearch
# needs no word boundary after a key ending in one.
COMPOUND_STEMS: dict[str, tuple[str, ...]] = {"fi": ("lais", "läis")}


def lower(text: str) -> str:
    """Lower-case `text` without changing its length ("İ" is "i")."""
    text = text.replace("İ", "i") if "İ" in text else text
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def variants(text: str) -> str:
    """`text` (lower case) with every letter written in several ways written one way."""
    if text.isascii():
        return text
    return _VARIANT.sub(lambda m: _VARIANTS[m.group()], text)


def fold(text: str) -> str:
    """`text` as names are matched in it, at the same length (so offsets stay valid):
    lower case, one way of writing each letter, HTML references blanked."""
    if "&" in text:
        text = _ENTITY.sub(lambda m: " " * len(m.group()), text)
    return variants(lower(text))


def folded_forms(word: str, lang: str, *, first: bool = True, last: bool = True) -> frozenset[str]:
    """The forms of a lower-case word, folded: inflected as written (Greek and Arabic
    endings carry their accents and letters), then folded as texts are."""
    return frozenset(variants(f) for f in word_forms(word, lang, first=first, last=last))


def word_forms(word: str, lang: str, *, first: bool = True, last: bool = True) -> frozenset[str]:
    """Every form of one (folded) name token in `lang`, the token itself included.

    `first`/`last` say where the token stands in its name: Korean particles and
    Turkish suffixes attach to the last word only, Arabic proclitics to the first.
    """
    return _word_forms(word, lang, first, last)


@lru_cache(maxsize=8192)
def _word_forms(word: str, lang: str, first: bool, last: bool) -> frozenset[str]:
    if not any(c.isalpha() for c in word) or lang in _NO_INFLECTION:
        return frozenset({word})
    if lang == "ko":
        return _korean(word) if last else frozenset({word})
    if lang == "ar":
        return _arabic(word, first, last)
    if has_paradigm(lang):
        return suffix_forms(word, lang, first=first, last=last)
    out = {word}
    if len(word) >= 3:
        out |= _stem_forms(word, lang)
    if lang == "tr" and last:
        out |= {f"{word}{a}{s}" for a in _APOSTROPHES for s in _TR_SUFFIXES}
    if lang in ("ru", "uk"):
        out |= {f.replace("ё", "е") for f in out}
    return frozenset(out)


def _stem_forms(word: str, lang: str) -> set[str]:
    if lang in ("ru", "uk"):
        return _pymorphy_forms(word, lang)
    if lang == "pl":
        return _polish(word)
    out = {word + s for s in _APPEND.get(lang, ())}
    if lang == "en" and word.endswith(("s", "x", "z", "ch", "sh")):
        out.add(word + "es")
    for ending, repl in _SWAP.get(lang, ()):
        if word.endswith(ending):
            stem = word[: len(word) - len(ending)]
            out.update(stem + r for r in repl)
            break
    return out


def _polish(word: str) -> set[str]:
    out: set[str] = set()
    for ending, drop, endings in _PL_RULES:
        if word.endswith(ending):
            stem = word[: len(word) - drop] if drop else word
            out.update(stem + e for e in endings)
            if ending.endswith("a") and len(stem) >= 2 and stem[-1] in _PL_LOCATIVE:
                out.add(stem[:-1] + _PL_LOCATIVE[stem[-1]])
            return out
    # A noun ending in a consonant: Kreml, Putin, Iran, Pekin.
    out.update(word + e for e in _PL_NOUN_C)
    if word[-1] in _PL_LOCATIVE:
        out.add(word[:-1] + _PL_LOCATIVE[word[-1]])
    return out


def _korean(word: str) -> frozenset[str]:
    stems = [word, *(word + n for n in _KO_NOUN_SUFFIXES)]
    # 쪽 ("side": 북한 쪽) after a one-syllable abbreviation is another word: 북쪽 is "north".
    particles = _KO_PARTICLES if len(word) > 1 else [p for p in _KO_PARTICLES if p != "쪽"]
    return frozenset({*stems, *(s + p for s in stems for p in particles)})


def _arabic(word: str, first: bool, last: bool) -> frozenset[str]:
    bare = word[len(_AR_ARTICLE) :] if word.startswith(_AR_ARTICLE) and len(word) > 4 else word
    cores = {word}
    if last and len(bare) >= 3:
        cores |= {bare + s for s in _AR_SUFFIXES}
        if bare.endswith("ي"):
            cores |= {bare + s[1:] for s in _AR_SUFFIXES if s.startswith("ي")}
            cores |= {bare + "ة"}
    # With and without the article; ل + ال is written لل.
    stems = {c[len(_AR_ARTICLE) :] if c.startswith(_AR_ARTICLE) else c for c in cores}
    if word.startswith(_AR_ARTICLE) or len(bare) >= 3:
        cores |= {_AR_ARTICLE + s for s in stems}
    if not first:
        return frozenset(cores)
    out = set(cores)
    for c in cores:
        out.update(p + c for p in _AR_PREFIXES)
        if c.startswith(_AR_ARTICLE):
            out.update(p + "لل" + c[len(_AR_ARTICLE) :] for p in ("", "و", "ف"))
    return frozenset(out)


_MORPH: dict[str, Any] = {}


def _pymorphy_forms(word: str, lang: str) -> set[str]:
    morph = _MORPH.get(lang)
    if morph is None:
        import pymorphy3

        morph = _MORPH[lang] = pymorphy3.MorphAnalyzer(lang=lang)
    parses = morph.parse(word)
    # The name is written in its base form: prefer the readings whose lemma it
    # is ("Путин", not the genitive plural of "путина"), else the nominatives.
    good = [p for p in parses if p.normal_form == word]
    good = good or [p for p in parses if "nomn" in p.tag] or parses[:1]
    return {f.word for p in good for f in p.lexeme}
