"""The shipped library loads fast (C loader, JSON cache) and still reports errors with lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from rules.errors import RuleFileErrors
from rules.library import read_library
from rules.load import SHIPPED_ACTORS, _load_file, load_rules, rule_files


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_cached_library_equals_the_parsed_one(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = load_rules(cache_dir=cache)
    # One cache file per shipped folder: the actors and the relation cues.
    assert len(list(cache.glob("actors-*.json"))) == 2
    second = load_rules(cache_dir=cache)
    assert len(list(cache.glob("actors-*.json"))) == 2
    uncached = load_rules()
    assert first.actors == second.actors == uncached.actors
    assert first.cues == second.cues == uncached.cues
    assert {"en", "ru", "zh"} <= set(uncached.cues)
    assert set(uncached.actors) >= {"RUS", "PRK"}


def test_a_changed_file_misses_the_cache(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    path = write(lib, "AAA.yaml", "id: AAA\nnames: {en: [Alpha]}\n")
    cache = tmp_path / "cache"
    [(_, rf)] = read_library([path], _load_file, cache)
    assert rf.actors[0].names == {"en": ["Alpha"]}
    write(lib, "AAA.yaml", "id: AAA\nnames: {en: [Beta]}\n")
    [(_, rf)] = read_library([path], _load_file, cache)
    assert rf.actors[0].names == {"en": ["Beta"]}
    assert len(list(cache.glob("actors-*.json"))) == 2


def test_bad_library_files_are_all_reported_with_line_and_column(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    good = write(lib, "AAA.yaml", "id: AAA\nnames: {en: [Alpha]}\n")
    typo = write(lib, "BBB.yaml", "id: BBB\nnamse: {en: [Beta]}\n")
    broken = write(lib, "CCC.yaml", "id: CCC\nnames: {en: [Gamma\n")
    with pytest.raises(RuleFileErrors) as e:
        read_library([good, typo, broken], _load_file, tmp_path / "cache")
    lines = str(e.value).splitlines()
    assert lines[0] == f"{typo}:2:1: unknown key 'namse' (did you mean 'names'?)"
    assert lines[1].startswith(f"{broken}:3:1: ")
    assert not (tmp_path / "cache").exists()


def test_shipped_files_are_the_library() -> None:
    assert rule_files([SHIPPED_ACTORS])
