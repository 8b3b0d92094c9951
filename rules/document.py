"""YAML documents that remember where each value came from.

Rule files and the daemon's config are both read here: YAML is composed into
nodes, turned into plain values while recording each value's line and column,
then validated with a pydantic model. Every validation error is reported as
`path:line:col: message`, all errors of a file at once.

The files are edited by people, so what reading one may cost is bounded: its
size (MAX_FILE_BYTES), the values it expands to, aliases counted each time
they are used (MAX_VALUES: a 417-byte alias bomb expanded to gigabytes), and
its nesting (MAX_DEPTH: a recursive alias or `[[[[…` gave RecursionError).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from yaml.constructor import ConstructorError, SafeConstructor

from rules.errors import Loc, RuleFileErrors, RuleSyntaxError

M = TypeVar("M", bound=BaseModel)
Key = tuple[str | int, ...]
MAX_FILE_BYTES = 2_000_000  # the largest shipped file is under 100 KB
MAX_VALUES = 200_000  # the largest shipped file has about 1,100
MAX_DEPTH = 64


class _Bound(Exception):
    """A document over a bound: where and why (turned into a RuleSyntaxError)."""

    def __init__(self, node: yaml.Node, message: str) -> None:
        super().__init__(message)
        self.node = node
        self.message = message


@dataclass(slots=True)
class _Budget:
    values: int = 0


@dataclass(frozen=True, slots=True)
class Document:
    """Plain data from one YAML file and the location of every value and key."""

    path: Path
    data: Any
    value_locs: dict[Key, Loc]
    key_locs: dict[Key, Loc]

    def loc(self, key: Key) -> Loc:
        """Where the value at `key` (or its nearest known parent) starts."""
        while key not in self.value_locs and key:
            key = key[:-1]
        return self.value_locs.get(key, Loc(self.path, 0, 0))

    def key_loc(self, key: Key) -> Loc:
        """Where the mapping key at `key` starts, else where its value does."""
        return self.key_locs.get(key) or self.loc(key)


def _loc(path: Path, node: yaml.Node) -> Loc:
    return Loc(path, node.start_mark.line + 1, node.start_mark.column + 1)


def _too_big(path: Path, size: int) -> RuleFileErrors:
    return RuleFileErrors(
        [
            RuleSyntaxError(
                Loc(path, 1, 1), f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}"
            )
        ]
    )


def read_document(text: str, path: Path) -> Document:
    """Parse YAML text; raise RuleFileErrors with file:line:col on bad syntax or a
    document over the bounds (size, expanded values, nesting)."""
    if len(text) > MAX_FILE_BYTES:
        raise _too_big(path, len(text))
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        m = e.problem_mark
        loc = Loc(path, m.line + 1, m.column + 1) if m else Loc(path, 0, 0)
        raise RuleFileErrors([RuleSyntaxError(loc, e.problem or "invalid YAML")]) from e
    except (yaml.YAMLError, RecursionError) as e:
        message = "nested too deeply" if isinstance(e, RecursionError) else str(e)
        raise RuleFileErrors([RuleSyntaxError(Loc(path, 1, 1), message)]) from None
    values: dict[Key, Loc] = {}
    keys: dict[Key, Loc] = {}
    errors: list[RuleSyntaxError] = []
    try:
        if node is not None:
            _measure(node, {}, 0)
        data = None if node is None else _build(node, (), path, values, keys, errors, _Budget())
    except _Bound as e:
        raise RuleFileErrors([RuleSyntaxError(_loc(path, e.node), e.message)]) from None
    if errors:
        raise RuleFileErrors(errors)
    return Document(path, data, values, keys)


def load_document(path: Path) -> Document:
    """Read and parse a YAML file."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _too_big(path, size)
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise RuleFileErrors([RuleSyntaxError(Loc(path, 0, 0), f"cannot read: {reason}")]) from e
    return read_document(text, path)


def _measure(node: yaml.Node, sizes: dict[int, int], depth: int) -> int:
    """How many values `node` expands to, each shared (aliased) node measured once: a bomb
    is refused before anything is built. Raises _Bound over a bound or on a cycle."""
    if depth > MAX_DEPTH:
        raise _Bound(node, f"nested deeper than {MAX_DEPTH} levels")
    known = sizes.get(id(node))
    if known is not None:
        if known < 0:
            raise _Bound(node, "a recursive alias (a value that contains itself)")
        return known
    sizes[id(node)] = -1
    size = 1
    if isinstance(node, yaml.MappingNode):
        size += sum(_measure(v, sizes, depth + 1) for _, v in node.value)
    elif isinstance(node, yaml.SequenceNode):
        size += sum(_measure(v, sizes, depth + 1) for v in node.value)
    if size > MAX_VALUES:
        raise _Bound(node, f"more than {MAX_VALUES:,} values (aliases count each time used)")
    sizes[id(node)] = size
    return size


def _build(
    node: yaml.Node,
    key: Key,
    path: Path,
    values: dict[Key, Loc],
    keys: dict[Key, Loc],
    errors: list[RuleSyntaxError],
    budget: _Budget,
) -> Any:
    budget.values += 1
    if budget.values > MAX_VALUES:
        raise _Bound(node, f"more than {MAX_VALUES:,} values (aliases count each time used)")
    if len(key) > MAX_DEPTH:
        raise _Bound(node, f"nested deeper than {MAX_DEPTH} levels (a recursive alias?)")
    values[key] = _loc(path, node)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for k_node, v_node in node.value:
            if not isinstance(k_node, yaml.ScalarNode):
                errors.append(RuleSyntaxError(_loc(path, k_node), "keys must be plain values"))
                continue
            k = str(_scalar(k_node))
            if k in out:
                errors.append(RuleSyntaxError(_loc(path, k_node), f"duplicate key '{k}'"))
                continue
            keys[(*key, k)] = _loc(path, k_node)
            out[k] = _build(v_node, (*key, k), path, values, keys, errors, budget)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(item, (*key, i), path, values, keys, errors, budget)
            for i, item in enumerate(node.value)
        ]
    try:
        return _scalar(node)
    except ConstructorError as e:
        errors.append(RuleSyntaxError(_loc(path, node), e.problem or "bad value"))
        return None


def _scalar(node: yaml.Node) -> Any:
    return SafeConstructor().construct_object(node, deep=True)


def validate(doc: Document, model: type[M], data: Any = None, base: Key = ()) -> M:
    """Validate `data` (default: the whole document) against a pydantic model.

    Raises RuleFileErrors naming file:line:col for every problem, with a
    suggestion when an unknown key looks like a misspelt known one.
    """
    payload = doc.data if data is None else data
    try:
        return model.model_validate({} if payload is None else payload)
    except ValidationError as e:
        raise RuleFileErrors(list(errors_from(doc, model, e, base))) from None


def errors_from(
    doc: Document, model: type[BaseModel], exc: ValidationError, base: Key = ()
) -> Iterator[RuleSyntaxError]:
    """Turn a pydantic ValidationError into located, readable errors."""
    seen: set[tuple[Key, str]] = set()
    for err in exc.errors(include_url=False):
        if _other_branch(err):
            continue
        loc_key: Key = (*base, *_clean_loc(err["loc"]))
        kind = err["type"]
        if kind == "extra_forbidden":
            name = str(loc_key[-1])
            msg = f"unknown key '{name}'"
            hint = _suggest(name, _known_keys(model, loc_key[len(base) : -1]))
            if hint:
                msg += f" (did you mean '{hint}'?)"
            where = doc.key_loc(loc_key)
        elif kind == "missing":
            msg = f"missing required key '{loc_key[-1]}'"
            where = doc.loc(loc_key[:-1])
        else:
            field = ".".join(str(p) for p in loc_key[len(base) :]) or "document"
            msg = f"{field}: {_reason(err)}"
            where = doc.loc(loc_key)
        if (loc_key, msg) not in seen:
            seen.add((loc_key, msg))
            yield RuleSyntaxError(where, msg)


def _other_branch(err: Any) -> bool:
    # A union (scope: a word or {within: N}) reports every member that failed;
    # only the member of the same shape as the input is worth reading.
    for part in err["loc"]:
        if isinstance(part, str) and part.startswith("literal[") and isinstance(err["input"], dict):
            return True
    return err["type"] in ("model_type", "dict_type") and isinstance(err["input"], str)


def _clean_loc(loc: tuple[int | str, ...]) -> Key:
    # pydantic inserts union-member and validator names ("function-after[...]",
    # "literal['a']", "WithinScope") into locations; they are not YAML keys.
    return tuple(
        p
        for p in loc
        if isinstance(p, int) or not (("[" in p) or (p[:1].isupper() and p.isidentifier()))
    )


def _reason(err: Any) -> str:
    msg = str(err["msg"])
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    return msg[:1].lower() + msg[1:]


def _suggest(word: str, candidates: list[str]) -> str | None:
    # Swapped letters first ('namse' is 'names', not 'name'), then the closest.
    for c in candidates:
        if sorted(c.lower()) == sorted(word.lower()):
            return c
    found = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return found[0] if found else None


def suggest(word: str, candidates: list[str]) -> str | None:
    """The closest candidate to a misspelt word, or None."""
    return _suggest(word, candidates)


def _known_keys(model: type[BaseModel], path: Key) -> list[str]:
    """Field names (and aliases) of the model reached by following `path`."""
    current: Any = model
    for part in path:
        if isinstance(part, int):
            continue
        found = _field_model(current, str(part))
        is_model = isinstance(current, type) and issubclass(current, BaseModel)
        if found is None and is_model and str(part) not in current.model_fields:
            continue  # a key of a mapping field (a language under 'cues')
        current = found
        if current is None:
            return []
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or name for name, f in current.model_fields.items()]
    return []


def _field_model(model: Any, name: str) -> Any:
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return None
    for fname, f in model.model_fields.items():
        if name in (fname, f.alias):
            return _first_model(f.annotation)
    return None


def _first_model(tp: Any) -> Any:
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tp
    for arg in getattr(tp, "__args__", ()):
        found = _first_model(arg)
        if found is not None:
            return found
    return None
