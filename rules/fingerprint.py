"""The event fingerprint: what an article reports, in parts that do not depend on its language.

Two reports of one event, in Korean and in German, share few words but the
same parts: the actors the engine resolved (`a:PRK`), the places
(`p:<GeoNames id>`, `f:vostochny-cosmodrome`), people's names outside the
actor library, transliterated to Latin (`n:grsmv` for Герасимов, Gerassimow
and Gerasimov), numbers and quantities (`q:1000` for 1,000 / 1.000 / 1000명 /
1 000), dates resolved against the publication date (`d:2024-01-14` for "14
January", "am Sonntag", "14일", "14日") and what kind of event it is
(`c:missile_launch`). `score` weighs the parts two articles share by kind and
by rarity in the recent stream (IDF), so that place, date, numbers and cue
count for more than the actors every report of a conflict shares.

Pure: the data files (rules/event/) are read once; no clock, no I/O per call.
Must not import store or daemon.
"""

from __future__ import annotations

import bisect
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import yaml
from anyascii import anyascii

EVENT_DIR = Path(__file__).resolve().parent / "event"

# How much a shared part of each kind counts, before its rarity.
KIND_WEIGHTS: Mapping[str, float] = {
    "a": 0.4,  # actor (state, leader, institution)
    "r": 1.0,  # relation between two actors, with its class
    "p": 1.6,  # place (GeoNames city)
    "f": 2.0,  # facility (spaceport, plant, dam)
    "n": 1.0,  # person's name, transliterated
    "q": 1.2,  # number or quantity
    "d": 1.5,  # date
    "c": 0.8,  # event cue
    "h": 0.0,  # SimHash band: finds near-copies, weighs nothing
}
KIND_NAMES = {
    "a": "actor",
    "r": "relation",
    "p": "place",
    "f": "facility",
    "n": "name",
    "q": "number",
    "d": "date",
    "c": "cue",
    "h": "simhash",
}
# IDF prior: a part seen in no story of an empty stream is worth ln(PRIOR).
PRIOR = 30.0

_TOKEN = re.compile(r"[^\W\d_](?:[^\W\d_]|['’-](?=[^\W\d_]))*")
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af]+")
_NUMBER = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:([,. \u00a0\u202f'’])\d{3})(?:\2\d{3})*|\d+)([.,]\d+)?(?![\d])"
)
_TIME = re.compile(r"\d{1,2}[:h]\d{2}\b")
_CJK_DATE = re.compile(r"(?:(\d{1,2})\s*[月월]\s*)?(\d{1,2})\s*[日일](?![本曜])")


class Spans:
    """The characters of a text already read as something (an actor, a date, a place).

    A mask, one byte per character: asking whether a span overlaps costs its own
    length, not the number of spans taken (a 1 MB article names an actor 60,000 times).
    """

    def __init__(self, length: int, spans: Iterable[tuple[int, int]] = ()) -> None:
        self._mask = bytearray(length)
        for s, e in spans:
            self.append((s, e))

    def append(self, span: tuple[int, int]) -> None:
        s, e = span[0], min(span[1], len(self._mask))
        if e > s:
            self._mask[s:e] = b"\x01" * (e - s)

    def overlaps(self, s: int, e: int) -> bool:
        return self._mask.find(1, s, e) != -1


_SENTENCE_END = re.compile(r"[.!?…:»\"“”]\s*$")


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """An article's event parts: part key -> what the text said (for explanations)."""

    parts: Mapping[str, str] = field(default_factory=dict)

    def keys(self) -> list[str]:
        """The part keys, sorted."""
        return sorted(self.parts)


@dataclass(frozen=True, slots=True)
class Agreement:
    """How well an article agrees with a story: the score and the parts it rests on."""

    score: float
    shared: tuple[tuple[str, float], ...]  # (part, weight), heaviest first

    def is_join(self, threshold: float, min_parts: int) -> bool:
        """Enough weight, and enough parts besides actors and SimHash bands."""
        strong = [p for p, _ in self.shared if p[0] not in "ah"]
        return self.score >= threshold and len(strong) >= min_parts


def weight(part: str, df: int, stories: int) -> float:
    """A shared part's weight: its kind's weight times its rarity (IDF) in the window."""
    kind = part.split(":", 1)[0]
    idf = math.log((stories + PRIOR) / (df + 1.0))
    return KIND_WEIGHTS.get(kind, 1.0) * max(idf, 0.0)


def agreement(shared: Iterable[str], df: Mapping[str, int], stories: int) -> Agreement:
    """Score the parts an article shares with a story."""
    weighted = sorted(
        ((p, weight(p, df.get(p, 0), stories)) for p in set(shared)), key=lambda x: (-x[1], x[0])
    )
    return Agreement(sum(w for _, w in weighted), tuple(weighted))


def explain(part: str) -> str:
    """A part in words: `place p:524901`."""
    return f"{KIND_NAMES.get(part.split(':', 1)[0], 'part')} {part}"


# -- data --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """Place names (folded) -> id; a sorted list of the names for inflected look-ups."""

    ids: Mapping[str, str]
    names: tuple[str, ...]
    longest_cjk: int

    def lookup(self, word: str) -> tuple[str, str] | None:
        """(id, name) of the place a Latin/Cyrillic word names, inflected endings allowed."""
        gid = self.ids.get(word)
        if gid:
            return gid, word
        if len(word) < 5:
            return None
        # Курской, Курську -> Курск; Торопце -> Торопец; Kursku -> Kursk: a name that
        # shares all but its last two letters with the word, whose ending differs by <= 3.
        stem = word[: max(4, len(word) - 3)]
        i = bisect.bisect_left(self.names, stem)
        best: tuple[str, str] | None = None
        while i < len(self.names) and self.names[i].startswith(stem):
            name = self.names[i]
            common = _common_prefix_len(name, word)
            # The name's own ending may change only in long names (Торопец/Торопце).
            if (
                " " not in name
                and common >= 5
                and len(name) - common <= (2 if len(name) >= 7 else 0)
                and len(word) - common <= 3
                and (best is None or len(name) > len(best[1]))
            ):
                best = (self.ids[name], name)
            i += 1
        return best


def _common_prefix_len(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """Cities (rules/event/cities.tsv, from GeoNames) and facilities (facilities.yaml)."""
    ids: dict[str, str] = {}
    with (EVENT_DIR / "cities.tsv").open(encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            gid, *names = line.rstrip("\n").split("\t")
            for n in names:
                ids[n] = "p:" + gid
    facilities = yaml.safe_load((EVENT_DIR / "facilities.yaml").read_text(encoding="utf-8"))
    for fid, names in facilities.items():
        for n in names:
            ids[_fold(n)] = "f:" + fid
    cjk = max((len(n) for n in ids if _is_cjk(n[0])), default=1)
    return Gazetteer(ids, tuple(sorted(ids)), cjk)


@dataclass(frozen=True, slots=True)
class Found:
    """A stem found in a text: where, the text's words, and the value of the stem."""

    start: int
    end: int
    text: str
    value: object


class Stems:
    """Many word beginnings found in one pass: each occurrence with the value of its stem.

    Words of alphabetic scripts are looked up by their prefixes in a dict (a stem
    must start a word); Chinese, Japanese and Korean stems and phrases of several
    words are searched as substrings. No regex per stem: a text is read once.
    """

    def __init__(self, stems: Iterable[tuple[str, object]]) -> None:
        self.prefixes: dict[str, object] = {}
        self.substrings: list[tuple[str, object, bool]] = []  # stem, value, must start a word
        for stem, value in stems:
            folded = _fold(stem)
            if _is_cjk(folded[0]) or " " in folded:
                self.substrings.append((folded, value, not _is_cjk(folded[0])))
            else:
                self.prefixes.setdefault(folded, value)
        self.longest = max((len(p) for p in self.prefixes), default=0)

    def finditer(self, text: str) -> Iterator[Found]:
        """Every occurrence of a stem in `text`."""
        folded = text.lower() if len(text.lower()) == len(text) else text
        for m in _TOKEN.finditer(folded):
            word = m.group(0)
            for n in range(min(len(word), self.longest), 1, -1):
                value = self.prefixes.get(word[:n])
                if value is not None:
                    yield Found(m.start(), m.start() + n, text[m.start() : m.end()], value)
                    break
        for stem, value, word_start in self.substrings:
            i = folded.find(stem)
            while i >= 0:
                if not word_start or i == 0 or not folded[i - 1].isalpha():
                    yield Found(i, i + len(stem), text[i : i + len(stem)], value)
                i = folded.find(stem, i + 1)


@dataclass(frozen=True, slots=True)
class Calendar:
    """Month and weekday patterns, relative-day words, multipliers and cues."""

    months: Stems
    weekdays: Stems
    relative: Stems
    multipliers: Mapping[str, int]
    cues: Stems


def _indexed(by_lang: dict[str, list[str | list[str]]], first: int) -> Iterator[tuple[str, int]]:
    """(stem, position) of each entry of each language's list; an entry may be a list."""
    for entries in by_lang.values():
        for i, entry in enumerate(entries):
            for stem in entry if isinstance(entry, list) else [entry]:
                yield stem, i + first


@lru_cache(maxsize=1)
def calendar() -> Calendar:
    """rules/event/calendar.yaml and cues.yaml, compiled."""
    cal = yaml.safe_load((EVENT_DIR / "calendar.yaml").read_text(encoding="utf-8"))
    cues = yaml.safe_load((EVENT_DIR / "cues.yaml").read_text(encoding="utf-8"))
    months = Stems(_indexed(cal["months"], 1))
    weekdays = Stems(_indexed(cal["weekdays"], 0))
    relative = Stems((w, int(days)) for days, ws in cal["relative"].items() for w in ws)
    mult = {_fold(w): int(k) for k, ws in cal["multipliers"].items() for w in ws}
    cue_patterns = Stems(
        (s, cls) for cls, by_lang in cues.items() for stems in by_lang.values() for s in stems
    )
    return Calendar(months, weekdays, relative, mult, cue_patterns)


# -- extraction --------------------------------------------------------------


def _fold(s: str) -> str:
    return unicodedata.normalize("NFKC", s).casefold()


def _is_cjk(c: str) -> bool:
    o = ord(c)
    return 0x3040 <= o <= 0x30FF or 0x3400 <= o <= 0x9FFF or 0xAC00 <= o <= 0xD7AF


def _is_hangul(c: str) -> bool:
    return 0xAC00 <= ord(c) <= 0xD7AF


def fingerprint(
    title: str,
    text: str,
    *,
    published: date | None = None,
    actors: Iterable[str] = (),
    relations: Iterable[str] = (),
    skip: Iterable[tuple[int, int]] = (),
) -> Fingerprint:
    """The event parts of an article.

    `actors` are the actor ids the engine found, `relations` the relation
    classes of actor pairs (`PRK+RUS:cooperation`), `skip` the character spans
    of `title + "\\n\\n" + text` already resolved to actors (not read as names).
    """
    body = unicodedata.normalize("NFC", f"{title}\n\n{text}")
    parts: dict[str, str] = {}
    for a in actors:
        parts[f"a:{a}"] = a
    for r in relations:
        parts[f"r:{r}"] = r
    taken = Spans(len(body), skip)
    _dates(body, published, parts, taken)
    _numbers(body, parts, taken)
    _places(body, parts, taken)
    _names(body, parts, taken)
    _cues(body, parts)
    return Fingerprint(parts)


def _dates(body: str, published: date | None, parts: dict[str, str], taken: Spans) -> None:
    cal = calendar()
    for m in _CJK_DATE.finditer(body):
        month = int(m.group(1)) if m.group(1) else None
        day = int(m.group(2))
        found = _resolve(published, month, day)
        if found:
            parts[f"d:{found.isoformat()}"] = m.group(0)
            taken.append(m.span())
    for f in cal.months.finditer(body):
        month = int(str(f.value))
        # "14 January", "14. Juni", "14 июня", "January 14", "le 14 janvier"
        before = re.search(r"(\d{1,2})\.?\s*(?:de\s+)?$", body[max(0, f.start - 8) : f.start])
        after = re.match(r"[^\W\d]*\.?\s+(\d{1,2})(?!\d)", body[f.start : f.start + 20])
        day_text = before or after
        if not day_text:
            continue
        found = _resolve(published, month, int(day_text.group(1)))
        if found:
            parts[f"d:{found.isoformat()}"] = body[f.start : f.end + 6].split("\n")[0]
            start = f.start - len(before.group(0)) if before else f.start
            taken.append((start, f.start + (after.end() if after else len(f.text))))
    if published is None:
        return
    for f in cal.weekdays.finditer(body):
        back = (published.weekday() - int(str(f.value))) % 7
        parts[f"d:{(published - timedelta(days=back)).isoformat()}"] = f.text
        taken.append((f.start, f.start + len(f.text)))
    for f in cal.relative.finditer(body):
        parts[f"d:{(published - timedelta(days=int(str(f.value)))).isoformat()}"] = f.text
        taken.append((f.start, f.start + len(f.text)))


def _resolve(published: date | None, month: int | None, day: int) -> date | None:
    """The date of day/month nearest before (or just after) the publication date."""
    if published is None or not 1 <= day <= 31:
        return None
    if month is None:
        month = published.month if day <= published.day + 1 else published.month - 1 or 12
    if not 1 <= month <= 12:
        return None
    for year in (published.year, published.year - 1):
        try:
            d = date(year, month, day)
        except ValueError:
            return None
        if d <= published + timedelta(days=2):
            return d
    return None


def _numbers(body: str, parts: dict[str, str], taken: Spans) -> None:
    mult = calendar().multipliers
    times = Spans(len(body), (m.span() for m in _TIME.finditer(body)))
    for m in _NUMBER.finditer(body):
        if taken.overlaps(*m.span()) or times.overlaps(*m.span()):
            continue
        digits = re.sub(r"\D", "", m.group(1))
        value = float(digits)
        if m.group(3) and not m.group(2):
            value = float(f"{digits}.{m.group(3)[1:]}")
        word = re.match(r"\s*([^\W\d_]+)", body[m.end() : m.end() + 16])
        if word:
            w = _fold(word.group(1))
            factor = mult.get(w) or next(
                (v for k, v in mult.items() if _is_cjk(k[0]) and w.startswith(k)), None
            )
            if factor:
                value *= factor
        if 1900 <= value <= 2100 and value == int(value):
            parts[f"d:{int(value)}"] = m.group(0)  # a year
        elif value >= 10:
            key = f"{value:.3g}" if value != int(value) else str(int(value))
            parts[f"q:{key}"] = m.group(0).strip()


def _places(body: str, parts: dict[str, str], taken: Spans) -> None:
    gaz = gazetteer()
    folded = body.lower() if len(body.lower()) == len(body) else None
    if folded is None:
        return
    words = list(_TOKEN.finditer(body))
    i = 0
    while i < len(words):
        w = words[i]
        s = w.start()
        if _is_cjk(body[s]):
            i += 1
            continue
        if not body[s].isupper() or taken.overlaps(s, w.end()):
            i += 1
            continue
        # Two- and three-word names first (Nova Kakhovka, Crocus City Hall).
        hit = None
        for n in (3, 2):
            if i + n <= len(words):
                e = words[i + n - 1].end()
                phrase = folded[s:e]
                if gaz.ids.get(phrase):
                    hit = (gaz.ids[phrase], phrase, n)
                    break
        if hit is None:
            found = gaz.lookup(folded[s : w.end()])
            if found:
                hit = (found[0], found[1], 1)
        if hit:
            parts[hit[0]] = body[s : words[i + hit[2] - 1].end()]
            taken.append((s, words[i + hit[2] - 1].end()))
            i += hit[2]
        else:
            i += 1
    for run in _CJK_RUN.finditer(body):
        _cjk_places(
            run.group(0), run.start(), gaz, parts, taken, hangul=_is_hangul(run.group(0)[0])
        )


def _cjk_places(
    run: str,
    offset: int,
    gaz: Gazetteer,
    parts: dict[str, str],
    taken: Spans,
    *,
    hangul: bool,
) -> None:
    # Korean writes particles after names (쿠르스크주에서): names start a word.
    # Chinese and Japanese have no spaces: leftmost longest match anywhere.
    i = 0
    while i < len(run) - 1:
        hit = None
        for n in range(min(gaz.longest_cjk, len(run) - i), 1, -1):
            gid = gaz.ids.get(run[i : i + n])
            if gid:
                hit = (gid, n)
                break
        if hit and not taken.overlaps(offset + i, offset + i + hit[1]):
            parts[hit[0]] = run[i : i + hit[1]]
            taken.append((offset + i, offset + i + hit[1]))
            i += hit[1]
        elif hangul:
            break  # only at the start of a Korean word
        else:
            i += 1


_DIGRAPHS = (
    ("sch", "s"),
    ("sh", "s"),
    ("sz", "s"),
    ("ch", "k"),
    ("kh", "k"),
    ("zh", "s"),
    ("ts", "s"),
    ("tz", "s"),
    ("cz", "c"),
    ("ck", "k"),
    ("ph", "f"),
    ("th", "t"),
)
_CONSONANT_CLASS = str.maketrans(
    {
        "w": "v",
        "z": "s",
        "c": "k",
        "q": "k",
        "x": "k",
        "j": "",
        "y": "",
        "h": "",
        "g": "g",
        "d": "t",
        "b": "p",
    }
)


def name_key(word: str) -> str:
    """A Latin consonant skeleton of a name, the same across scripts and spellings.

    Lavrov, Lawrow, Лавров, Ławrow -> `lvrv`; Gerasimov, Gerassimow, Герасимов -> `krsmv`.
    """
    latin = anyascii(word).lower()
    latin = re.sub(r"[^a-z]", "", latin)
    for a, b in _DIGRAPHS:
        latin = latin.replace(a, b)
    skeleton = re.sub(r"[aeiou]", "", latin[1:]).translate(_CONSONANT_CLASS)
    first = latin[:1].translate(_CONSONANT_CLASS) or latin[:1]
    if first in "aeiou":
        first = ""
    key = re.sub(r"(.)\1+", r"\1", first + skeleton)
    return key[:5]


def _names(body: str, parts: dict[str, str], taken: Spans) -> None:
    # Capitalised words in alphabetic scripts that are not the first of a sentence and
    # not already an actor or a place: mostly people (Gershkovich, Гершкович, Gerschkowitsch).
    for m in _TOKEN.finditer(body):
        s, e = m.span()
        word = m.group(0)
        if len(word) < 5 or not word[0].isupper() or _is_cjk(word[0]) or word.isupper():
            continue
        if taken.overlaps(s, e):
            continue
        before = body[max(0, s - 3) : s]
        if s == 0 or _SENTENCE_END.search(before) or "\n" in before:
            continue
        key = name_key(word.split("-")[0])
        if len(key) >= 4:
            parts[f"n:{key}"] = word


def _cues(body: str, parts: dict[str, str]) -> None:
    for m in calendar().cues.finditer(body):
        parts.setdefault(f"c:{m.value}", m.text)
