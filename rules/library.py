"""Read the shipped actor library fast: libyaml, no positions, a JSON cache.

The library is ~250 generated files naming each state in ~200 languages.
Reading them with position tracking (what user files need for their
file:line:col errors) takes seconds; libyaml's C loader takes well under
one, and a JSON copy keyed by the files' SHA-256 (written to `cache_dir`
when one is given) a tenth of that. A file that fails the fast path is read
again the slow way, so its errors still carry line and column.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import yaml
from pydantic import ValidationError

from rules.document import Document
from rules.errors import RuleFileErrors, RuleSyntaxError
from rules.spec import RuleFile

_FastLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
Parsed = tuple[Document, RuleFile]
SlowLoad = Callable[[Path], Parsed]


def read_library(files: Sequence[Path], slow: SlowLoad, cache_dir: Path | None) -> list[Parsed]:
    """Parse and validate the library's files; RuleFileErrors lists every bad one."""
    blobs = [(p, _read(p)) for p in files]
    cache = _cache_path(blobs, cache_dir)
    cached = _from_cache(cache, files) if cache else None
    if cached is not None:
        return cached
    out: list[Parsed] = []
    errors: list[RuleSyntaxError] = []
    plain: list[object] = []
    for path, raw in blobs:
        data = _fast(raw)
        try:
            rf = RuleFile.model_validate(as_rule_file(data))
        except ValidationError:
            rf = None
        if rf is None or raw is None:
            try:
                out.append(slow(path))  # reports the file's errors with line:col
            except RuleFileErrors as e:
                errors.extend(e.errors)
            plain = []
            continue
        out.append((Document(path, None, {}, {}), rf))
        plain.append(rf.model_dump(mode="json", exclude_defaults=True))
    if errors:
        raise RuleFileErrors(errors)
    if cache and len(plain) == len(files):
        _write(cache, plain)
    return out


def as_rule_file(data: object) -> object:
    """A file holding one actor (the library's layout) as a rule file."""
    if isinstance(data, dict) and "id" in data and "actors" not in data and "watches" not in data:
        return {"actors": [data]}
    return data


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _fast(raw: bytes | None) -> object:
    if raw is None:
        return None
    try:
        return yaml.load(raw, Loader=_FastLoader)
    except yaml.YAMLError:
        return None


def _cache_path(blobs: list[tuple[Path, bytes | None]], cache_dir: Path | None) -> Path | None:
    if cache_dir is None or any(raw is None for _, raw in blobs):
        return None
    h = hashlib.sha256()
    for path, raw in blobs:
        h.update(path.name.encode() + b"\0" + (raw or b"") + b"\0")
    return cache_dir / f"actors-{h.hexdigest()[:24]}.json"


def _from_cache(cache: Path, files: Sequence[Path]) -> list[Parsed] | None:
    raw = read_cache(cache)
    try:
        data = json.loads(raw) if raw is not None else None
        rfs = [RuleFile.model_validate(d) for d in data or ()]
    except (ValueError, TypeError, ValidationError):
        return None
    if data is None or len(rfs) != len(files):
        return None
    return [(Document(p, None, {}, {}), rf) for p, rf in zip(files, rfs, strict=True)]


def _write(cache: Path, plain: list[object]) -> None:
    write_cache(cache, json.dumps(plain, ensure_ascii=False).encode("utf-8"))


# A cache file (actors-*, presearch-*, lexicon-*) unused for this long is removed
# when another of its kind is written: every edit of the rules makes new ones.
CACHE_DAYS = 30


def read_cache(cache: Path) -> bytes | None:
    """A cache file's bytes, None if it is missing or unreadable; marks it as used."""
    try:
        data = cache.read_bytes()
    except OSError:
        return None
    with contextlib.suppress(OSError):  # a read-only cache folder is still read
        os.utime(cache)
    return data


def write_cache(cache: Path, data: bytes) -> None:
    """Write a cache file whole (through a temporary file), or not at all.

    Best effort: a read-only or missing cache folder only costs speed. Files of
    the same kind unused for CACHE_DAYS go.
    """
    tmp = cache.with_suffix(f".{os.getpid()}.tmp")
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        tmp.replace(cache)
    except OSError:
        tmp.unlink(missing_ok=True)
        return
    kind = cache.name.split("-", 1)[0]
    stale = time.time() - CACHE_DAYS * 86400
    for old in cache.parent.glob(f"{kind}-*"):
        with contextlib.suppress(OSError):
            if old != cache and old.stat().st_mtime < stale:
                old.unlink()
