"""The documentation (docs/*.md) against the code: nothing undocumented, every example valid.

- every CLI command is in the generated reference (docs/cli.md, which must be
  current) and is named on some other page;
- every config key (the sections of `ConfigFile`, recursively, and every
  channel type's settings) appears as a key in a YAML block of the docs;
- every rule key (of a rule file, a watch, an actor) appears as a key in a
  YAML block of docs/rules.md;
- every YAML block that is a rule file (top-level `watches:` or `actors:`) or a
  config file (only `ConfigFile` keys at the top) is loaded as `wirewatch check`
  loads it, and must pass; a block after `<!-- check: fails -->` must fail.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

import rules.load
from daemon.alerts.channels import ALERTERS, ChannelSettings
from daemon.cli import COMMANDS
from daemon.cli import main as wirewatch
from daemon.cli.reference import reference, walk
from daemon.config import ConfigFile, load_config
from rules.errors import RuleFileErrors
from rules.load import load_rules
from rules.spec import RuleFile
from store.migrations import MIGRATIONS, Migration
from store.sql import POSTGRESQL, SQLITE
from tests.support.cli import ROOT

DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))
FAILS = "<!-- check: fails -->"
FENCE = re.compile(r"^(\s*)```(\S*)\s*$")
Path_ = tuple[str, ...]  # a key path; "*" is any list item or any name of a mapping


@dataclass(frozen=True)
class Block:
    """One fenced code block of a page."""

    page: Path
    line: int  # of the opening fence, 1-based
    lang: str
    text: str
    fails: bool  # preceded by <!-- check: fails -->

    @property
    def where(self) -> str:
        return f"docs/{self.page.name}:{self.line}"


def code_blocks(page: Path) -> Iterator[Block]:
    """The fenced code blocks of a Markdown page, in order."""
    lines = page.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m or not m.group(2):
            i += 1
            continue
        indent, start = len(m.group(1)), i
        body: list[str] = []
        i += 1
        while i < len(lines) and lines[i].strip() != "```":
            body.append(lines[i][indent:])
            i += 1
        before = [ln for ln in lines[:start] if ln.strip()]
        fails = bool(before) and before[-1].strip() == FAILS
        yield Block(page, start + 1, m.group(2), "\n".join(body) + "\n", fails)
        i += 1


BLOCKS = [b for page in PAGES for b in code_blocks(page)]
YAML_BLOCKS = [b for b in BLOCKS if b.lang == "yaml"]


def yaml_data(block: Block) -> Any:
    try:
        return yaml.safe_load(block.text)
    except yaml.YAMLError as e:
        pytest.fail(f"{block.where}: not YAML: {e}")


def key_paths(data: Any, prefix: Path_ = ()) -> Iterator[Path_]:
    """Every mapping key's path in a YAML value; list items are "*"."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield (*prefix, str(key))
            yield from key_paths(value, (*prefix, str(key)))
    elif isinstance(data, list):
        for item in data:
            yield from key_paths(item, (*prefix, "*"))


def model_paths(model: type[BaseModel], prefix: Path_ = ()) -> Iterator[Path_]:
    """Every key a model accepts, recursively: lists and mappings of models add "*"."""
    for name, info in model.model_fields.items():
        here = (*prefix, info.alias or name)
        yield here
        for sub, extra in _models_in(info.annotation):
            yield from model_paths(sub, (*here, *extra))


def _models_in(annotation: Any) -> Iterator[tuple[type[BaseModel], Path_]]:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation, ()
    elif origin is typing.Annotated:
        yield from _models_in(args[0])
    elif origin in (typing.Union, types.UnionType):
        for arg in args:
            yield from _models_in(arg)
    elif origin is list:
        yield from ((m, ("*", *p)) for m, p in _models_in(args[0]))
    elif origin is dict:
        yield from ((m, ("*", *p)) for m, p in _models_in(args[1]))


def is_covered(path: Path_, documented: set[Path_]) -> bool:
    return any(
        len(d) == len(path) and all(p in ("*", q) for p, q in zip(path, d, strict=True))
        for d in documented
    )


def yaml_keys(pages: list[Path]) -> set[Path_]:
    return {p for b in YAML_BLOCKS if b.page in pages for p in key_paths(yaml_data(b))}


def channel_keys() -> dict[str, set[str]]:
    """Keys each channel type is shown with, from every `channels:` of the docs' YAML."""
    out: dict[str, set[str]] = {}
    for block in YAML_BLOCKS:
        data = yaml_data(block)
        channels = data.get("channels") if isinstance(data, dict) else None
        for body in (channels or {}).values() if isinstance(channels, dict) else ():
            if isinstance(body, dict) and "type" in body:
                out.setdefault(str(body["type"]), set()).update(map(str, body))
    return out


def other_pages_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in PAGES if p.name != "cli.md")


# (a) commands


def test_cli_reference_is_current() -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert text == reference(wirewatch), (
        "docs/cli.md is out of date: python -m daemon.cli.reference > docs/cli.md"
    )


def test_every_command_is_in_the_reference_and_explained_elsewhere() -> None:
    cli_md = (DOCS / "cli.md").read_text(encoding="utf-8")
    prose = other_pages_text()
    names = [path for path, _ctx in walk(wirewatch)][1:]
    assert {n.split()[1] for n in names} == set(COMMANDS)
    assert "wirewatch feeds add" in names
    missing = [n for n in names if f"\n## {n}\n" not in cli_md]
    assert not missing, f"not in docs/cli.md: {missing}"
    unexplained = [n for n in names if not re.search(rf"{re.escape(n)}(?![\w-])", prose)]
    assert not unexplained, f"named on no page but cli.md: {unexplained}"


# (b) config keys


def test_every_config_key_is_documented() -> None:
    documented = yaml_keys(PAGES)
    keys = [p for p in model_paths(ConfigFile) if p[0] != "channels"]
    assert ("poll", "lease") in keys and ("feeds", "*", "full_text") in keys
    missing = [".".join(p) for p in keys if not is_covered(p, documented)]
    assert not missing, f"config keys in no YAML block of docs/: {missing}"


@pytest.mark.parametrize("kind", sorted(ALERTERS))
def test_every_channel_key_is_documented(kind: str) -> None:
    shown = channel_keys()
    # The keys every channel has (digest, timezone): shown with any type is enough.
    common = set(ChannelSettings.model_fields) & set().union(*shown.values())
    settings = ALERTERS[kind].settings.model_fields
    keys = {info.alias or name for name, info in settings.items()}
    missing = sorted(keys - shown.get(kind, set()) - common)
    assert not missing, f"{kind} channel keys in no `channels:` YAML block of docs/: {missing}"


# (c) rule keys


def test_every_rule_key_is_documented_in_rules_md() -> None:
    documented = yaml_keys([DOCS / "rules.md"])
    keys = list(model_paths(RuleFile))
    assert ("watches", "*", "scope", "within") in keys and ("actors", "*", "weak") in keys
    missing = [".".join(p) for p in keys if not is_covered(p, documented)]
    assert not missing, f"rule keys in no YAML block of docs/rules.md: {missing}"


# (d) examples


def _kind(block: Block) -> str | None:
    data = yaml_data(block)
    if not isinstance(data, dict):
        return None
    if "watches" in data or "actors" in data:
        return "rules"
    if data and set(data) <= set(ConfigFile.model_fields):
        return "config"
    return None


CHECKED = [b for b in YAML_BLOCKS if _kind(b)]


@pytest.fixture(scope="module")
def library_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The shipped library is the same for every example: read it once, not once per block.

    read_library depends only on the library's files, so its first answer serves every
    later call; the examples' own files still go through the loader each time.
    """
    read, seen = rules.load.read_library, {}

    def read_once(files: Any, slow: Any, cache_dir: Any) -> Any:
        key = tuple(files)
        if key not in seen:
            seen[key] = read(files, slow, cache_dir)
        return list(seen[key])

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(rules.load, "read_library", read_once)
        yield tmp_path_factory.mktemp("cache")


def shown_output(block: Block) -> str | None:
    """The ```text block right after `block` on its page, if there is one."""
    blocks = [b for b in BLOCKS if b.page == block.page]
    after = blocks[blocks.index(block) + 1 :]
    return after[0].text if after and after[0].lang == "text" else None


@pytest.mark.parametrize("block", CHECKED, ids=[b.where for b in CHECKED])
def test_example_passes_check(block: Block, tmp_path: Path, library_cache: Path) -> None:
    path = tmp_path / ("rules.yaml" if _kind(block) == "rules" else "wirewatch.yaml")
    path.write_text(block.text, encoding="utf-8")
    try:
        if _kind(block) == "rules":
            load_rules([path], cache_dir=library_cache)
        else:
            load_config(path, env={})
    except RuleFileErrors as e:
        # As check prints them, named by the file; and where they are on the page.
        printed = "".join(f"{path.name}:{x.loc.line}:{x.loc.col}: {x.msg}\n" for x in e.errors)
        if not block.fails:
            on_page = [
                f"docs/{block.page.name}:{block.line + x.loc.line}:{x.loc.col}: {x.msg}"
                for x in e.errors
            ]
            pytest.fail("the example does not pass check:\n" + "\n".join(on_page), pytrace=False)
        shown = shown_output(block)
        if shown is not None and shown.startswith(path.name):
            assert shown == printed, f"{block.where}: the error shown is not what check prints"
        return
    assert not block.fails, f"{block.where}: marked `check: fails`, but passes"


def test_examples_are_found() -> None:
    kinds = [_kind(b) for b in CHECKED]
    assert kinds.count("rules") >= 5 and kinds.count("config") >= 5
    assert any(b.fails for b in CHECKED)


def test_migration_examples_give_sql_for_both_dialects() -> None:
    examples = [b for b in BLOCKS if b.lang == "python" and b.text.startswith("Migration(")]
    assert examples, "docs/postgresql.md shows how a migration is written"
    for block in examples:
        migration = eval(block.text, {"Migration": Migration})
        for dialect in (SQLITE, POSTGRESQL):
            sql = migration.statements(dialect)
            assert sql and not any("{" in s for s in sql), f"{block.where}: {dialect.name}: {sql}"
        assert migration.name not in {m.name for m in MIGRATIONS}


# the site


@pytest.mark.slow
def test_site_builds_offline_and_strict(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(tmp_path)],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},  # material's banner
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "index.html").is_file() and (tmp_path / "rules" / "index.html").is_file()
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "fonts.googleapis.com" not in html  # theme.font: false, nothing fetched by readers
