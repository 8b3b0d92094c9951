"""Generate the shipped actor library (`rules/actors/*.yaml`) from CLDR.

Every territory with an ISO 3166-1 alpha-3 code gets one file holding its name
in every language CLDR has (from babel's copy of CLDR), merged with the
hand-edited curated file `rules/curated/<ID>.yaml` when there is one (short and
official names, demonyms, capitals, leaders, agencies, weak names, exclusions,
and CLDR names to drop). Output is deterministic: rerunning gives byte-identical
files. Run `python -m rules.cldr_gen [OUT_DIR]` (`make actors`).

This is a developer tool: it does file I/O and needs `babel` (dev extra), which
it imports lazily so that the rules package never depends on it at run time.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from rules.errors import RulesError

PACKAGE_DIR = Path(__file__).resolve().parent
ACTORS_DIR = PACKAGE_DIR / "actors"
CURATED_DIR = PACKAGE_DIR / "curated"
# One file per language (`lang/<code>.yaml`): the names of many actors in that
# language, curated by someone who reads it (issue #10's languages).
LANG_SUBDIR = "lang"

# CLDR lists every alpha-3 code as an alias of its alpha-2 region, including
# codes ISO 3166-3 has withdrawn (they alias the successor state) and codes
# CLDR invented for regions ISO only "exceptionally reserves" (AC, CP, DG, EU,
# TA), which have no ISO 3166-1 alpha-3 code. babel drops CLDR's alias
# reasons, so both sets are named here; generation fails if CLDR ever maps
# two remaining alpha-3 codes to one region, instead of picking silently.
WITHDRAWN_ALPHA3 = frozenset({"BUR", "DDR", "FXX", "TMP", "YMD", "ZAR"})  # ISO 3166-3
RESERVED_ALPHA2 = frozenset({"AC", "CP", "DG", "EU", "TA"})
# ISO 3166-1 user-assigned code elements (XK Kosovo, EU, ZZ unknown, ...).
_USER_ASSIGNED = re.compile(r"^(AA|Q[M-Z]|X[A-Z]|ZZ)$")
_LANG = re.compile(r"^[a-z]{2,3}$")
_PAREN = re.compile(r"\s*[(（]([^()（）]*)[)）]\s*$")
_CURATED_KEYS = {"name", "kind", "names", "weak", "exclude", "drop"}
_TABLES = ("names", "weak", "exclude")

Table = dict[str, list[str]]


class GenerateError(RulesError):
    """The CLDR data or a curated file does not give a well-defined library."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")


@dataclass(slots=True)
class Actor:
    """One generated actor file, before formatting."""

    id: str
    name: str
    kind: str = "state"
    names: Table = field(default_factory=dict)
    weak: Table = field(default_factory=dict)
    exclude: Table = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)


def iso_alpha3() -> dict[str, str]:
    """Map CLDR alpha-2 region codes to their ISO 3166-1 alpha-3 codes."""
    from babel.core import get_global

    out: dict[str, str] = {}
    for code, targets in sorted(get_global("territory_aliases").items()):
        if len(code) != 3 or not code.isalpha() or len(targets) != 1:
            continue  # numeric codes, and aliases of dissolved unions (SUN, YUG)
        alpha2 = targets[0]
        if code in WITHDRAWN_ALPHA3 or alpha2 in RESERVED_ALPHA2 or _USER_ASSIGNED.match(alpha2):
            continue
        if alpha2 in out:
            raise GenerateError(alpha2, f"two alpha-3 codes in CLDR: {out[alpha2]}, {code}")
        out[alpha2] = code
    return out


def locale_order(identifiers: Iterable[str]) -> list[tuple[str, str]]:
    """(language, locale) pairs: each language's own locale first, then its variants."""
    from babel.core import parse_locale

    pairs = []
    for ident in identifiers:
        parts = parse_locale(ident)
        lang, variant = parts[0], parts[3]
        if variant or not _LANG.match(lang):
            continue  # POSIX/VALENCIA-style variants and "root"
        pairs.append((lang, ident))
    return sorted(pairs, key=lambda p: (p[0], p[1] != p[0], p[1]))


def clean_name(raw: str, lang: str, others: frozenset[str] = frozenset()) -> list[str]:
    """Matchable names from one CLDR display name ("Myanmar (Burma)": Myanmar, Burma).

    A trailing parenthesis is an alternate name when it is one word that is
    not an abbreviation and not another territory (`others`, lower-cased):
    "(Burma)" is, "(China)" after Hong Kong, "(САР)" and "(金)" are not.
    """
    paren = _PAREN.search(raw)
    name = " ".join(_PAREN.sub("", raw).split())
    out = [name] if name else []
    alt = paren.group(1).strip() if paren else ""
    if len(alt) >= 3 and not alt.isupper() and alt.split() == [alt] and alt.lower() not in others:
        out.append(alt)
    if lang == "en" and " & " in name:
        out.append(name.replace(" & ", " and "))
    return out


def cldr_names(regions: Iterable[str]) -> dict[str, Table]:
    """Per region, its names per language from every CLDR locale."""
    from babel import Locale
    from babel.localedata import locale_identifiers

    wanted = set(regions)
    out: dict[str, Table] = {r: {} for r in wanted}
    for lang, ident in locale_order(locale_identifiers()):
        territories = Locale.parse(ident).territories
        others = frozenset(v.lower() for v in territories.values())
        for region in wanted:
            raw = territories.get(region)
            if not raw:
                continue
            names = out[region].setdefault(lang, [])
            names += [n for n in clean_name(raw, lang, others) if n not in names]
    drop_shared(out)
    return out


def drop_shared(names: dict[str, Table]) -> None:
    """Drop names two regions share in one language (zh 刚果: both Congos)."""
    owners: dict[tuple[str, str], set[str]] = {}
    for region, table in names.items():
        for lang, ns in table.items():
            for n in ns:
                owners.setdefault((lang, n.lower()), set()).add(region)
    for table in names.values():
        for lang in list(table):
            table[lang] = [n for n in table[lang] if len(owners[(lang, n.lower())]) == 1]
            if not table[lang]:
                del table[lang]


def read_curated(path: Path) -> dict[str, Any]:
    """A curated file's data, checked for shape (the merged file is validated on load)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as e:
        raise GenerateError(str(path), f"cannot read: {e}") from e
    if not isinstance(data, dict):
        raise GenerateError(str(path), "expected a mapping")
    unknown = set(data) - _CURATED_KEYS
    if unknown:
        raise GenerateError(str(path), f"unknown keys {sorted(unknown)}")
    for key in (*_TABLES, "drop"):
        table = data.get(key, {})
        if not isinstance(table, dict) or not all(
            isinstance(v, list) and all(isinstance(n, str) for n in v) for v in table.values()
        ):
            raise GenerateError(str(path), f"'{key}' must map languages to lists of names")
    return data


def merge_curated(actor: Actor, data: dict[str, Any], source: str) -> None:
    """Add a curated file's names, weak names and exclusions; drop what it drops."""
    actor.name = data.get("name", actor.name)
    actor.kind = data.get("kind", actor.kind)
    for lang, gone in data.get("drop", {}).items():
        unknown = [n for n in gone if n not in actor.names.get(lang, [])]
        if unknown:
            raise GenerateError(source, f"drop: {unknown} are not CLDR names in '{lang}'")
        kept = [n for n in actor.names.get(lang, []) if n not in gone]
        if kept:
            actor.names[lang] = kept
        else:
            actor.names.pop(lang, None)
    for key in _TABLES:
        table: Table = getattr(actor, key)
        for lang, names in data.get(key, {}).items():
            have = table.setdefault(str(lang), [])
            have += [n for n in names if n not in have]
    actor.sources.append(source)


def build_actors(curated_dir: Path = CURATED_DIR) -> list[Actor]:
    """Every ISO 3166-1 actor: CLDR names merged with its curated file."""
    from babel import Locale

    codes = iso_alpha3()
    names = cldr_names(codes)
    english = Locale("en").territories
    actors = []
    for region, alpha3 in sorted(codes.items(), key=lambda kv: kv[1]):
        actor = Actor(alpha3, clean_name(english[region], "en")[0], names=names[region])
        curated = curated_dir / f"{alpha3}.yaml"
        if curated.exists():
            merge_curated(actor, read_curated(curated), f"rules/curated/{curated.name}")
        actors.append(actor)
    merge_languages(actors, curated_dir / LANG_SUBDIR)
    known = {a.id for a in actors}
    for stray in sorted(curated_dir.glob("*.yaml")):
        if stray.stem not in known:
            raise GenerateError(str(stray), f"'{stray.stem}' is not an ISO 3166-1 alpha-3 id")
    return actors


def read_language(path: Path) -> dict[str, dict[str, Any]]:
    """A language file's data: actor id -> {names, weak, exclude, drop: [names]}."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as e:
        raise GenerateError(str(path), f"cannot read: {e}") from e
    if not isinstance(data, dict):
        raise GenerateError(str(path), "expected a mapping of actor ids")
    for actor, table in data.items():
        if not isinstance(table, dict) or set(table) - {*_TABLES, "drop"}:
            raise GenerateError(str(path), f"{actor}: expected names/weak/exclude/drop lists")
        for key, names in table.items():
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise GenerateError(str(path), f"{actor}.{key}: expected a list of names")
    return data


def merge_languages(actors: list[Actor], lang_dir: Path) -> None:
    """Merge every `lang/<code>.yaml` into the actors it names."""
    by_id = {a.id: a for a in actors}
    for path in sorted(lang_dir.glob("*.yaml")):
        lang = path.stem
        if not _LANG.match(lang):
            raise GenerateError(str(path), f"'{lang}' is not a language code")
        for actor_id, table in read_language(path).items():
            actor = by_id.get(str(actor_id))
            if actor is None:
                raise GenerateError(str(path), f"'{actor_id}' is not an ISO 3166-1 alpha-3 id")
            data = {key: {lang: names} for key, names in table.items()}
            merge_curated(actor, data, f"rules/curated/{LANG_SUBDIR}/{path.name}")


def _quote(s: str) -> str:
    # JSON strings are valid YAML double-quoted scalars; quoting every key
    # keeps codes such as "no" (Norwegian) from turning into booleans.
    return json.dumps(s, ensure_ascii=False)


def _table_lines(key: str, table: Table) -> Iterator[str]:
    rows = {lang: names for lang, names in table.items() if names}
    if not rows:
        return
    yield f"{key}:"
    for lang in sorted(rows):
        yield f"  {_quote(lang)}: [{', '.join(_quote(n) for n in rows[lang])}]"


def render(actor: Actor, header: str) -> str:
    """The actor file's text: stable key order, one flow-style line per language."""
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    lines += [f"id: {actor.id}", f"name: {_quote(actor.name)}", f"kind: {actor.kind}"]
    for key in _TABLES:
        lines += _table_lines(key, getattr(actor, key))
    return "\n".join(lines) + "\n"


def made_with(babel_version: str) -> str:
    """The babel release line ("babel 2.19"): patch releases keep CLDR's data."""
    return "babel " + ".".join(babel_version.split(".")[:2])


def header_for(actor: Actor) -> str:
    """The comment atop a generated file: where it came from, how to change it."""
    import babel
    from babel.core import get_global

    cldr = get_global("cldr")["version"]
    own = [s for s in actor.sources if f"/{LANG_SUBDIR}/" not in s]
    langs = [Path(s).stem for s in actor.sources if f"/{LANG_SUBDIR}/" in s]
    if langs:
        own.append(f"rules/curated/{LANG_SUBDIR}/{{{','.join(langs)}}}.yaml")
    sources = " + ".join([f"CLDR {cldr} ({made_with(babel.__version__)})", *own])
    return (
        f"{actor.name}. Generated by `python -m rules.cldr_gen` from {sources}.\n"
        "Do not edit: change rules/curated/<ID>.yaml and run `make actors`."
    )


def generate(out_dir: Path = ACTORS_DIR, curated_dir: Path = CURATED_DIR) -> list[Path]:
    """Write every actor file into `out_dir`; return the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for actor in build_actors(curated_dir):
        path = out_dir / f"{actor.id}.yaml"
        path.write_bytes(render(actor, header_for(actor)).encode("utf-8"))
        written.append(path)
    return written


def main(argv: list[str]) -> int:
    """CLI: `python -m rules.cldr_gen [OUT_DIR]`."""
    out_dir = Path(argv[0]) if argv else ACTORS_DIR
    try:
        written = generate(out_dir)
    except GenerateError as e:
        sys.stderr.write(f"{e}\n")
        return 1
    sys.stdout.write(f"wrote {len(written)} actor files to {out_dir}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
