"""Case endings, suffixes and clitics of the languages added in issue #10, as data.

Each language is a `Paradigm`: endings swapped on the base form by its
ending (first match wins, as rules.inflect does for Polish), endings added
when none matches (a consonant-final noun), suffixes appended to every form
(agglutinative case suffixes), and proclitics in front of the first word
(Hebrew ה/ו/ב/ל/מ/ש). Overgenerating a little is harmless: a form still has
to be a whole token of the text to match. Pure data and one function; no I/O.

Languages without inflection of names (id, ms, vi, sw, th) have no entry:
their names match as written, as whole tokens.
"""

from __future__ import annotations

from dataclasses import dataclass

Swap = tuple[str, int, tuple[str, ...]]  # (base ending, characters to drop, endings to add)


@dataclass(frozen=True, slots=True)
class Paradigm:
    """How one language inflects a name word."""

    swap: tuple[Swap, ...] = ()
    default: tuple[str, ...] = ()  # appended when no swap rule matches
    append: tuple[str, ...] = ()  # appended to every form (the base and the swapped ones)
    prefixes: tuple[str, ...] = ()  # proclitics on the first word of a name
    last_only: bool = False  # suffixes go on the last word only (Bengali, Georgian ...)
    min_len: int = 3


def _adj(stem_end: str, *endings: str) -> tuple[str, ...]:
    return tuple(stem_end + e for e in endings)


# West Slavic (cs, sk): hard and soft adjectives, a-, o- and consonant nouns.
_CS_ADJ = ("ý", "á", "é", "ého", "ému", "ém", "ým", "ou", "ú", "í", "ých", "ými", "ej", "om", "ými")
_CS_SOFT = ("í", "ího", "ímu", "ím", "ích", "ími")
_CS = Paradigm(
    swap=(
        ("ský", 3, (*_adj("sk", *_CS_ADJ), "ští")),
        ("cký", 3, (*_adj("ck", *_CS_ADJ), "čtí")),
        ("ý", 1, _CS_ADJ),
        ("á", 1, _CS_ADJ),
        ("é", 1, _CS_ADJ),
        ("í", 1, _CS_SOFT),
        ("ea", 1, ("a", "je", "ji", "jí", "ju", "jou", "y", "e", "i", "u", "ou", "ey", "eu")),
        ("ia", 1, ("a", "e", "i", "u", "ou", "í")),
        ("ka", 2, ("ka", "ky", "ce", "ku", "kou", "ek")),
        ("a", 1, ("a", "y", "e", "ě", "u", "ou", "o", "i", "ami", "ách")),
        ("ko", 1, ("a", "u", "em", "om", "o")),
        ("o", 1, ("a", "u", "em", "om", "ě", "e")),
        ("e", 1, ("e", "i", "í", "ií", "ii")),
    ),
    default=("a", "u", "ovi", "em", "om", "e", "ě", "i", "y", "ové", "ů", "ům", "ech", "ov"),
)

# South Slavic, Latin and Cyrillic script (hr, sr, bs, sl, and mk/bg's few cases).
_SH_ADJ = (
    "i",
    "a",
    "o",
    "e",
    "og",
    "oga",
    "om",
    "ome",
    "oj",
    "u",
    "im",
    "ih",
    "ima",
    "ega",
    "emu",
    "em",
    "imi",
    "ega",
)
_SH_ADJ_CY = (
    "и",
    "а",
    "о",
    "е",
    "ог",
    "ога",
    "ом",
    "оме",
    "ој",
    "у",
    "им",
    "их",
    "има",
    "ата",
    "ите",
    "ото",
    "иот",
    "ия",
    "ият",
    "ата",
    "ото",
    "ите",
    "ой",
)
_SH = Paradigm(
    swap=(
        ("ski", 1, _SH_ADJ),
        ("čki", 1, _SH_ADJ),
        ("ški", 1, _SH_ADJ),
        ("na", 1, (*_SH_ADJ, "oj", "e", "u", "om", "i", "o")),
        ("ja", 1, ("a", "e", "i", "u", "om", "o", "o")),
        ("a", 1, ("a", "e", "i", "u", "om", "o", "oj")),
        ("lj", 0, ("a", "u", "om", "e")),
        ("o", 1, ("a", "u", "om", "o")),
    ),
    default=("a", "u", "om", "e", "em", "ov", "ova", "ovi", "ove", "ima"),
)
_SH_CY = Paradigm(
    swap=(
        ("ски", 1, _SH_ADJ_CY),
        ("чки", 1, _SH_ADJ_CY),
        ("на", 1, (*_SH_ADJ_CY, "ој", "е", "у", "ом", "и", "о", "ата")),
        ("ја", 1, ("а", "е", "и", "у", "ом", "о", "ата")),
        ("ия", 1, ("я", "ята")),
        ("а", 1, ("а", "е", "и", "у", "ом", "о", "ој", "ата")),
        ("љ", 0, ("а", "у", "ом", "е", "от")),
        ("ъл", 0, ("а", "ът")),
    ),
    default=("а", "у", "ом", "е", "от", "ов", "ова", "ови", "ове", "ът", "ите", "и"),
)

# Baltic: Latvian and Lithuanian noun and adjective endings.
_LV = Paradigm(
    swap=(
        ("ija", 1, ("a", "as", "ai", "u", "ā", "ām", "ās")),
        ("a", 1, ("a", "as", "ai", "u", "ā", "ām", "ās")),
        ("s", 1, ("s", "a", "am", "u", "ā", "i", "os", "iem", "us", "ai", "ie", "ās")),
        ("is", 1, ("s", "a", "im", "i", "ī", "ji", "jā")),
    ),
)
_LT = Paradigm(
    swap=(
        ("as", 2, ("as", "o", "ui", "ą", "u", "e", "ai", "ų", "ams", "us", "uose", "ė")),
        ("is", 2, ("is", "io", "iui", "į", "iu", "yje", "iai", "ių")),
        ("ija", 1, ("a", "os", "ai", "ą", "oje", "ų", "oms", "as", "ose")),
        ("a", 1, ("a", "os", "ai", "ą", "oje", "ų", "oms", "as", "ose")),
        ("ė", 1, ("ė", "ės", "ei", "ę", "e", "ėje", "ių")),
        ("ės", 0, ("",)),
    ),
    default=("as", "o", "ui", "ą", "u", "e", "ui", "ą"),
)

# Finnic: case suffixes on the stem, both vowel harmonies (overgeneration is harmless).
_FI_CASES = (
    "n",
    "a",
    "ä",
    "lla",
    "llä",
    "lle",
    "lta",
    "ltä",
    "ssa",
    "ssä",
    "sta",
    "stä",
    "na",
    "nä",
    "ksi",
    "t",
    "han",
    "hin",
    "an",
    "än",
    "en",
    "in",
    "on",
    "un",
    "yn",
    "ön",
    "lla",
    "ineen",
    "kin",
    "ssakin",
    "han",
    "ta",
    "tä",
    "llaan",
    "llään",
)
# -nen words (venäläinen, pohjoiskorealainen): the stem is -se- in the singular
# and -si- in the plural (venäläisen, venäläistä, venäläiset, venäläisten, venäläisiä).
_FI_NEN = (
    "sen",
    "sta",
    "stä",
    "sena",
    "senä",
    "seksi",
    "sessa",
    "sessä",
    "sesta",
    "sestä",
    "seen",
    "sella",
    "sellä",
    "selta",
    "seltä",
    "selle",
    "set",
    "sten",
    "sien",
    "sia",
    "siä",
    "sina",
    "sinä",
    "siksi",
    "sissa",
    "sissä",
    "sista",
    "sistä",
    "siin",
    "silla",
    "sillä",
    "silta",
    "siltä",
    "sille",
    "sine",
)
_FI = Paradigm(
    swap=(
        ("nen", 3, ("nen", *_FI_NEN)),
        ("set", 3, ("nen", *_FI_NEN)),
        ("a", 0, (*_FI_CASES, "an", "aan")),
        ("ä", 0, (*_FI_CASES, "än", "ään")),
        ("t", 1, ("t", "jen", "in", "ihin", "issa", "ista", "ille", "illa", "ilta", "ja", "jä")),
    ),
    default=(*(f"i{c}" for c in _FI_CASES), "iin", "ia", "iä"),
)
_ET_CASES = (
    "d",
    "s",
    "st",
    "sse",
    "l",
    "le",
    "lt",
    "ga",
    "ks",
    "ni",
    "na",
    "ta",
    "t",
    "ile",
    "il",
    "ilt",
    "is",
    "ist",
    "isse",
    "iga",
    "it",
    "i",
    "ile",
    "ks",
)
_ET = Paradigm(append=_ET_CASES)

# Hungarian: case suffixes in both harmonies; a final -a/-e lengthens before them.
_HU_CASES = (
    "t",
    "ot",
    "et",
    "öt",
    "at",
    "ba",
    "be",
    "ban",
    "ben",
    "ból",
    "ből",
    "hoz",
    "hez",
    "höz",
    "nak",
    "nek",
    "ra",
    "re",
    "ról",
    "ről",
    "tól",
    "től",
    "on",
    "en",
    "ön",
    "n",
    "nál",
    "nél",
    "i",
    "ig",
    "ért",
    "ként",
    "val",
    "vel",
    "é",
    "ék",
    "ok",
    "ek",
    "ök",
    "ul",
    "ül",
    "ot",
    "beli",
)
_HU = Paradigm(
    swap=(
        ("a", 1, ("a", *(f"á{c}" for c in _HU_CASES), "ai", "ából", "ába", "ában", "ával")),
        ("e", 1, ("e", *(f"é{c}" for c in _HU_CASES), "ei", "ével")),
    ),
    default=(*_HU_CASES, "al", "el"),
    append=(),
)

# Greek: noun and adjective endings (the genitive -ας/-ου, accusative, plural).
_EL = Paradigm(
    swap=(
        ("ικός", 2, ("ός", "ού", "ό", "έ", "οί", "ών", "ούς", "ή", "ής", "ές", "ά", "όν")),
        ("ία", 0, ("ς",)),
        ("έα", 0, ("ς",)),
        ("α", 0, ("ς",)),
        ("ή", 0, ("ς",)),
        ("ος", 2, ("ος", "ου", "ο", "ε", "οι", "ων", "ους")),
        ("ο", 1, ("ο", "ου", "α", "ων")),
        ("ές", 0, ("",)),
    ),
    min_len=2,
)

# Hebrew: proclitics (the article, and, in, to, from, that, as) and their pairs;
# an adjective in -י takes -ת, -ם, -ות on it (אמריקני: האמריקנית, אמריקנים).
_HE = Paradigm(
    swap=(("י", 0, ("ת", "ם", "ות")),),
    prefixes=(
        "ה",
        "ו",
        "ב",
        "ל",
        "מ",
        "ש",
        "כ",
        "וה",
        "וב",
        "ול",
        "ומ",
        "וש",
        "שה",
        "שב",
        "של",
        "שמ",
        "מה",
        "כש",
        "לה",
        "וכ",
        "שהו",
    ),
    append=("ים", "ית", "ות", "י"),
    min_len=2,
)

# Persian: ezafe and indefinite -ی (after ZWNJ or joined), plurals, the object marker.
_ZWNJ = "\u200c"
_FA = Paradigm(
    append=(
        "ی",
        f"{_ZWNJ}ی",
        "ای",
        f"{_ZWNJ}ای",
        "ها",
        f"{_ZWNJ}ها",
        f"{_ZWNJ}های",
        "های",
        "ایی",
        f"{_ZWNJ}اش",
        "ئی",
        "یها",
        f"ی{_ZWNJ}ها",
        # the plural with the copula -ست: محبوب ایرانی‌هاست ("[it] is the Iranians' favourite")
        f"{_ZWNJ}هاست",
        "هاست",
    ),
    min_len=2,
    last_only=True,
)
# Urdu and Hindi write postpositions apart; a few oblique and adjectival endings.
_UR = Paradigm(append=("ی", "ے", "وں", "یوں"), min_len=2, last_only=True)
_HI = Paradigm(append=("ी", "ों", "ियों", "वासी"), min_len=2, last_only=True)
# Bengali attaches case endings: genitive -র/-এর/-ের, objective -কে, locative -য়/-তে/-ে.
_BN = Paradigm(
    append=(
        "র",
        "এর",
        "ের",
        "কে",
        "য়",
        "য়",
        "তে",
        "ে",
        "ও",
        "ই",
        "রা",
        "দের",
        "য়ের",
        "য়ের",
        "েই",
        "েও",
        "ের",
        "রই",
        "কেই",
        "ী",
        "ীয়",
        "ীয়",
    ),
    min_len=2,
    last_only=True,
)

# Turkic languages written without an apostrophe before case suffixes (az, kk).
_AZ_V = (
    "nın",
    "nin",
    "nun",
    "nün",
    "ya",
    "yə",
    "nı",
    "ni",
    "nu",
    "nü",
    "da",
    "də",
    "dan",
    "dən",
    "ylа",
    "yla",
    "ylə",
    "lı",
    "li",
    "nda",
    "ndə",
    "ndan",
    "ndən",
    "dakı",
    "dəki",
)
_AZ_C = (
    "ın",
    "in",
    "un",
    "ün",
    "a",
    "ə",
    "ı",
    "i",
    "u",
    "ü",
    "da",
    "də",
    "dan",
    "dən",
    "la",
    "lə",
    "lı",
    "li",
    "lu",
    "lü",
    "ta",
    "tə",
    "tan",
    "tən",
    "dakı",
    "dəki",
)
_AZ = Paradigm(
    swap=tuple((v, 0, _AZ_V) for v in "aeıioöuüə"),
    default=_AZ_C,
    last_only=True,
)
_KK_ALL = (
    "дың",
    "дің",
    "тың",
    "тің",
    "ның",
    "нің",
    "ға",
    "ге",
    "қа",
    "ке",
    "на",
    "не",
    "ды",
    "ді",
    "ты",
    "ті",
    "ны",
    "ні",
    "да",
    "де",
    "та",
    "те",
    "нда",
    "нде",
    "дан",
    "ден",
    "тан",
    "тен",
    "нан",
    "нен",
    "мен",
    "бен",
    "пен",
    "ның",
    "ға",
    "лық",
    "лік",
    "дағы",
    "дегі",
    "тағы",
    "тегі",
    "ға",
    "ғы",
    "гі",
    "ы",
    "і",
    "ы",
    "ін",
    "ын",
    "ға",
    "ке",
    "й",
)
# min_len 2: the last word of Ким Чен Ын (Ынды, Ынның); suffixes go on a name's last word only.
_KK = Paradigm(append=_KK_ALL, last_only=True, min_len=2)

# Armenian: definite -ը/-ն, genitive -ի, -ում, -ից, -ով; after a vowel with -յ-.
_HY_CASES = (
    "ը",
    "ն",
    "ի",
    "ին",
    "ում",
    "ից",
    "ով",
    "ու",
    "ներ",
    "ները",
    "ների",
    "ական",
    "ականը",
    "ցի",
    "ցիները",
)
_HY = Paradigm(
    swap=(("ա", 0, (*_HY_CASES, *(f"յ{c}" for c in _HY_CASES), "յի", "յին", "յում", "յից")),),
    default=_HY_CASES,
    last_only=True,
    min_len=2,  # the last word of Կիմ Չեն Ըն (Ընը, Ընին)
)

# Georgian: the nominative -ი drops before the case endings.
_KA_CASES = (
    "მა",
    "ს",
    "ის",
    "ით",
    "ად",
    "ში",
    "თან",
    "იდან",
    "ისთვის",
    "ზე",
    "ისა",
    "ელი",
    "ელმა",
    "ელს",
    "ული",
    "ულმა",
    "ულ",
    "ულს",
    "ის",
    "ისკენ",
    "ისგან",
    "ში",
    "საც",
    "მაც",
)
_KA = Paradigm(
    swap=(
        ("ი", 1, ("ი", *_KA_CASES)),
        ("ა", 0, ("მ", "ს", "ში", "სთან", "დან", "ზე", "ც", "მაც")),
    ),
    default=_KA_CASES,
    last_only=True,
)

# Romanian: enclitic article and oblique case (Rusiei, Coreei, Kremlinului).
_RO = Paradigm(
    swap=(
        ("ia", 1, ("ei", "e", "a")),
        ("ea", 1, ("i", "a")),
        ("a", 1, ("ei", "e", "ă", "a")),
        ("ă", 1, ("e", "ei", "ă")),
    ),
    default=("ul", "ului", "ului", "ii", "ilor", "i", "a"),
)

# Scandinavian: genitive -s, definite and plural, adjective agreement.
_SCAND = Paradigm(
    append=("s", "e", "es", "en", "ens", "ene", "er", "et", "ets", "a", "t", "ar", "arna")
)

PARADIGMS: dict[str, Paradigm] = {
    "cs": _CS,
    "sk": _CS,
    "hr": _SH,
    "bs": _SH,
    "sl": _SH,
    "sr": _SH,  # Latin script; the Cyrillic forms come from _SH_CY (chosen by script)
    "mk": _SH_CY,
    "bg": _SH_CY,
    "lv": _LV,
    "lt": _LT,
    "fi": _FI,
    "et": _ET,
    "hu": _HU,
    "el": _EL,
    "he": _HE,
    "fa": _FA,
    "ur": _UR,
    "hi": _HI,
    "bn": _BN,
    "az": _AZ,
    "kk": _KK,
    "hy": _HY,
    "ka": _KA,
    "ro": _RO,
    "sv": _SCAND,
    "da": _SCAND,
    "nb": _SCAND,
    "no": _SCAND,
    "nn": _SCAND,
}
_CYRILLIC_ALT = {"sr": _SH_CY, "bs": _SH_CY, "az": _AZ}


def has_paradigm(lang: str) -> bool:
    """Whether `lang` has endings of its own here."""
    return lang in PARADIGMS


def suffix_forms(word: str, lang: str, *, first: bool, last: bool) -> frozenset[str]:
    """Every form of one folded name word in `lang` (the word itself included)."""
    par = PARADIGMS[lang]
    if lang in _CYRILLIC_ALT and any("\u0400" <= c <= "\u04ff" for c in word):
        par = _CYRILLIC_ALT[lang]
    out = {word}
    if len(word) >= par.min_len and (last or not par.last_only):
        for ending, drop, adds in par.swap:
            if word.endswith(ending):
                stem = word[: len(word) - drop] if drop else word
                out.update(stem + a for a in adds)
                break
        else:
            out.update(word + a for a in par.default)
            if lang == "hu" and word[-1] not in "aeiouáéíóöőúüű":
                # -val/-vel assimilates to a final consonant: Putyinnal, Kremllel.
                out.update(word + word[-1] + a for a in ("al", "el"))
        out |= {f + a for f in list(out) for a in par.append}
    if lang == "bn":
        # য় is written precomposed (U+09DF) or as য + nukta: both spellings match.
        out |= {f.replace("\u09df", "\u09af\u09bc") for f in out}
        out |= {f.replace("\u09af\u09bc", "\u09df") for f in out}
    if par.prefixes and first:
        out |= {p + f for f in list(out) for p in par.prefixes}
    return frozenset(out)
