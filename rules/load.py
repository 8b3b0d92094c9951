"""Load rule files and the shipped actor library into one validated RuleSet."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rules.document import Document, Key, load_document, suggest, validate
from rules.errors import Loc, RuleFileErrors, RuleSyntaxError
from rules.library import as_rule_file, read_library
from rules.spec import ActorSpec, CueSpec, RuleFile, SentencesScope, WatchSpec

PACKAGE_DIR = Path(__file__).resolve().parent
SHIPPED_ACTORS = PACKAGE_DIR / "actors"
SHIPPED_WATCHES = PACKAGE_DIR / "watches"
SHIPPED_CUES = PACKAGE_DIR / "cues"
RULE_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, slots=True)
class Watch:
    """A validated watch and where it was defined."""

    spec: WatchSpec
    file: str
    version: str


@dataclass(frozen=True, slots=True)
class RuleSet:
    """Every actor (shipped and user-defined, merged) and every watch."""

    actors: dict[str, ActorSpec] = field(default_factory=dict)
    watches: tuple[Watch, ...] = ()
    cues: dict[str, CueSpec] = field(default_factory=dict)

    def languages(self) -> set[str]:
        """Language codes that any actor name or watch term is given in."""
        langs: set[str] = set()
        for a in self.actors.values():
            langs.update(a.names, a.weak)
        for w in self.watches:
            langs.update(w.spec.terms)
        langs.discard("*")
        return langs


def watch_actors(watch: Watch, *, positive: bool = False) -> set[str]:
    """The actors a watch refers to (only those that can make it fire if `positive`)."""
    w = watch.spec
    out = set(w.all) | set(w.any) | set(w.pair)
    if not positive:
        out |= set(w.none)
    return out


def rule_files(paths: Iterable[Path]) -> list[Path]:
    """Expand folders into their YAML files (sorted); keep files as given."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(q for q in p.rglob("*") if q.suffix in RULE_SUFFIXES))
        else:
            out.append(p)
    return out


def load_rules(
    paths: Sequence[Path] = (),
    *,
    shipped_actors: bool = True,
    shipped_watches: bool = False,
    shipped_cues: bool | None = None,
    cache_dir: Path | None = None,
) -> RuleSet:
    """Load the shipped library plus the given rule files or folders.

    `cache_dir`, if given, keeps a parsed copy of the shipped library there.
    The shipped relation cues come with the shipped actors unless
    `shipped_cues` says otherwise.

    A user actor with the id of a shipped one extends it (names, weak names
    and exclusions are added). Raises RuleFileErrors listing every problem.
    """
    files: list[Path] = []
    if shipped_watches:
        files += rule_files([SHIPPED_WATCHES])
    files += rule_files(paths)

    errors: list[RuleSyntaxError] = []
    parsed: list[tuple[Document, RuleFile]] = []
    if shipped_actors:
        try:
            parsed += read_library(rule_files([SHIPPED_ACTORS]), _load_file, cache_dir)
        except RuleFileErrors as e:
            errors.extend(e.errors)
    if shipped_actors if shipped_cues is None else shipped_cues:
        try:
            parsed += read_library(rule_files([SHIPPED_CUES]), _load_file, cache_dir)
        except RuleFileErrors as e:
            errors.extend(e.errors)
    own = len(parsed)  # the files after these are the user's (and the shipped watches)
    for path in files:
        try:
            parsed.append(_load_file(path))
        except RuleFileErrors as e:
            errors.extend(e.errors)
    if errors:
        raise RuleFileErrors(errors)

    actors: dict[str, ActorSpec] = {}
    cues: dict[str, CueSpec] = {}
    for _doc, rf in parsed:
        for a in rf.actors:
            actors[a.id] = _merge(actors[a.id], a) if a.id in actors else a
        for lang, spec in rf.cues.items():
            cues[lang] = _merge_cues(cues[lang], spec) if lang in cues else spec

    for doc, rf in parsed[own:]:
        for i, a in enumerate(rf.actors):
            # A library-style file is one actor at its top; a rule file lists them.
            key: Key = () if as_rule_file(doc.data) is not doc.data else ("actors", i)
            errors.extend(_check_exclusions(doc, key, a, actors[a.id]))

    watches: list[Watch] = []
    seen: dict[str, Loc] = {}
    for doc, rf in parsed:
        version = rf.version or _digest(doc)
        for i, w in enumerate(rf.watches):
            here = doc.loc(("watches", i, "id"))
            if w.id in seen:
                errors.append(
                    RuleSyntaxError(here, f"watch '{w.id}' already defined at {seen[w.id]}")
                )
                continue
            seen[w.id] = here
            errors.extend(_check_refs(doc, ("watches", i), w, actors))
            watches.append(Watch(w, str(doc.path), version))
    if errors:
        raise RuleFileErrors(errors)
    return RuleSet(actors, tuple(watches), cues)


def _load_file(path: Path) -> tuple[Document, RuleFile]:
    doc = load_document(path)
    if as_rule_file(doc.data) is not doc.data:
        # One actor per file (the library's layout): validate it where it stands.
        return doc, RuleFile(version=None, actors=[validate(doc, ActorSpec, doc.data)])
    return doc, validate(doc, RuleFile, doc.data)


def _merge(base: ActorSpec, extra: ActorSpec) -> ActorSpec:
    def join(a: dict[str, list[str]], b: dict[str, list[str]]) -> dict[str, list[str]]:
        out = {k: list(v) for k, v in a.items()}
        for lang, names in b.items():
            out.setdefault(lang, [])
            out[lang] += [n for n in names if n not in out[lang]]
        return out

    return base.model_copy(
        update={
            "name": extra.name or base.name,
            "names": join(base.names, extra.names),
            "weak": join(base.weak, extra.weak),
            "exclude": join(base.exclude, extra.exclude),
        }
    )


def _merge_cues(base: CueSpec, extra: CueSpec) -> CueSpec:
    update = {
        name: [
            *getattr(base, name),
            *(e for e in getattr(extra, name) if e not in getattr(base, name)),
        ]
        for name in CueSpec.model_fields
    }
    return base.model_copy(update=update)


def _check_exclusions(
    doc: Document, key: Key, actor: ActorSpec, merged: ActorSpec
) -> list[RuleSyntaxError]:
    """A one-word exclusion that is a form of one of the actor's one-word names (or
    has it as a form) would silence that name everywhere: every mention of it
    would lie inside the exclusion."""
    from rules.inflect import fold
    from rules.presearch import ANY_LANG, forms_of

    def forms(word: str, lang: str) -> frozenset[str]:
        return forms_of(fold(word), word, lang, first=True, last=True)

    errs: list[RuleSyntaxError] = []
    for lang, phrases in actor.exclude.items():
        ones = [(j, p) for j, p in enumerate(phrases) if len(p.split()) == 1]
        if not ones:
            continue
        names = {
            n: forms(n, lang)
            for table in (merged.names, merged.weak)
            for n in (*table.get(lang, ()), *table.get(ANY_LANG, ()))
            if len(n.split()) == 1
        }
        for j, phrase in ones:
            mine = forms(phrase, lang)
            for name, theirs in names.items():
                if fold(name) in mine or fold(phrase) in theirs:
                    errs.append(
                        RuleSyntaxError(
                            doc.loc((*key, "exclude", lang, j)),
                            f"exclusion '{phrase}' of {actor.id} is a form of its name "
                            f"'{name}' ({lang}): it would silence every '{name}'; "
                            "exclude the longer phrase it is part of",
                        )
                    )
                    break
    return errs


def _check_refs(
    doc: Document, key: Key, w: WatchSpec, actors: dict[str, ActorSpec]
) -> list[RuleSyntaxError]:
    errs: list[RuleSyntaxError] = []
    known = sorted(actors)
    for part in ("all", "any", "none", "pair"):
        for j, ref in enumerate(getattr(w, part)):
            if ref in actors:
                continue
            errs.append(_unknown(doc.loc((*key, part, j)), f"unknown actor '{ref}'", ref, known))
    if not w.all and not w.any and not w.pair:
        errs.append(
            RuleSyntaxError(
                doc.loc(key), f"watch '{w.id}' needs actors under 'all', 'any' or 'pair'"
            )
        )
    errs.extend(_check_pair(doc, key, w))
    errs.extend(_check_weights(doc, key, w))
    return errs


def _check_pair(doc: Document, key: Key, w: WatchSpec) -> list[RuleSyntaxError]:
    """A relation needs a pair; a pair is looked for in one or a few sentences."""
    if not w.pair:
        if w.relation is not None:
            return [
                RuleSyntaxError(
                    doc.key_loc((*key, "relation")), "'relation' needs a 'pair' of two actors"
                )
            ]
        if isinstance(w.scope, SentencesScope):
            return [
                RuleSyntaxError(
                    doc.loc((*key, "scope")), "scope {sentences: N} is for watches with a 'pair'"
                )
            ]
        return []
    if w.scope != "sentence" and not isinstance(w.scope, SentencesScope):
        return [
            RuleSyntaxError(
                doc.loc((*key, "scope")),
                "a 'pair' is looked for in sentences: use scope 'sentence' or {sentences: N}",
            )
        ]
    if w.threshold is not None or w.terms:
        where = "threshold" if w.threshold is not None else "terms"
        return [
            RuleSyntaxError(doc.key_loc((*key, where)), f"'{where}' cannot be combined with 'pair'")
        ]
    return []


def _check_weights(doc: Document, key: Key, w: WatchSpec) -> list[RuleSyntaxError]:
    errs: list[RuleSyntaxError] = []
    if w.weights and w.threshold is None:
        errs.append(RuleSyntaxError(doc.key_loc((*key, "weights")), "weights need a 'threshold'"))
    known = [*w.all, *w.any, *dict.fromkeys(t for ts in w.terms.values() for t in ts)]
    for name in w.weights:
        if name in known:
            continue
        msg = f"weight for '{name}', which is neither an actor of this watch nor one of its terms"
        errs.append(_unknown(doc.key_loc((*key, "weights", name)), msg, name, known))
    return errs


def _unknown(loc: Loc, msg: str, word: str, known: list[str]) -> RuleSyntaxError:
    hint = suggest(word, known)
    return RuleSyntaxError(loc, msg + (f" (did you mean '{hint}'?)" if hint else ""))


def _digest(doc: Document) -> str:
    try:
        raw = doc.path.read_bytes()
    except OSError:
        raw = b""
    return hashlib.sha256(raw).hexdigest()[:12]
