"""Careless (or hostile) edits of the files an operator owns: config, rules, OPML.

Every one is bounded in size, expansion and nesting, and answers with
`file:line:col: message` and exit 1, never a traceback.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.hostile.kit import WATCHES
from tests.support.cli import wirewatch

pytestmark = pytest.mark.slow

# 417 bytes that expand to 9^9 values: ran past 60 s and 2.5 GB before.
ALIAS_BOMB = """a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def config(tmp_path: Path, rules: Path = WATCHES, extra: str = "") -> Path:
    cfg = tmp_path / "wirewatch.yaml"
    cfg.write_text(
        f"store: state/w.db\nrules: [{rules}]\nfeeds: []\nchannels: {{}}\n{extra}", encoding="utf-8"
    )
    return cfg


def refused(result, where: str) -> str:
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith(where), result.stderr
    return result.stderr


def check(cfg: Path):
    started = time.monotonic()
    result = wirewatch("check", "--config", str(cfg))
    assert time.monotonic() - started < 60
    return result


def test_an_alias_bomb_in_the_config_is_refused_with_its_line(tmp_path: Path) -> None:
    cfg = tmp_path / "wirewatch.yaml"
    cfg.write_text(ALIAS_BOMB, encoding="utf-8")
    assert "aliases count each time used" in refused(check(cfg), f"{cfg}:")


def test_an_alias_bomb_in_a_rule_file_is_refused_with_its_line(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "bomb.yaml").write_text(ALIAS_BOMB, encoding="utf-8")
    cfg = config(tmp_path, rules)
    assert "aliases count each time used" in refused(check(cfg), f"{rules / 'bomb.yaml'}:")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: &a [*a]\n", "a recursive alias"),
        ("a: " + "[" * 5000 + "]" * 5000 + "\n", "nested"),
        ("a: " + "{b: " * 200 + "1" + "}" * 200 + "\n", "nested deeper than 64 levels"),
    ],
    ids=["recursive-alias", "deep-flow", "deep-mapping"],
)
def test_deep_or_recursive_rules_give_a_message_not_a_traceback(
    tmp_path: Path, text: str, message: str
) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "deep.yaml").write_text(text, encoding="utf-8")
    assert message in refused(check(config(tmp_path, rules)), f"{rules / 'deep.yaml'}:")


def test_a_rule_file_of_five_megabytes_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    big = rules / "big.yaml"
    big.write_text("watches:\n" + "# padding\n" * 500_000, encoding="utf-8")
    assert "the limit is 2,000,000" in refused(check(config(tmp_path, rules)), f"{big}:1:1:")


def test_backfill_all_as_documented_is_accepted(tmp_path: Path) -> None:
    cfg = tmp_path / "wirewatch.yaml"
    cfg.write_text(
        f"store: state/w.db\nrules: [{WATCHES}]\nchannels: {{}}\n"
        "feeds:\n  - url: https://news.example.org/feed.xml\n    backfill: all\n",
        encoding="utf-8",
    )
    result = check(cfg)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok:")


def test_check_refuses_what_run_refuses_an_unresolved_secret(tmp_path: Path) -> None:
    extra = "channels:\n  team:\n    type: slack\n    webhook_url_env: WIREWATCH_TEST_NO_SUCH_VAR\n"
    cfg = tmp_path / "wirewatch.yaml"
    cfg.write_text(f"store: state/w.db\nrules: [{WATCHES}]\nfeeds: []\n{extra}", encoding="utf-8")
    checked = check(cfg)
    assert checked.returncode == 1, checked.stdout
    assert "channel 'team'" in checked.stderr and "WIREWATCH_TEST_NO_SUCH_VAR" in checked.stderr
    assert "Traceback" not in checked.stderr
    ran = wirewatch("run", "--once", "--config", str(cfg))
    assert ran.returncode == 1 and ran.stderr == checked.stderr


def test_an_opml_bomb_is_refused_with_its_line(tmp_path: Path) -> None:
    lol = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    opml = tmp_path / "feeds.opml"
    opml.write_text(
        f'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY l0 "lol">{lol}]>'
        '<opml version="2.0"><body><outline text="&l9;" xmlUrl="https://x.example/f"/></body></opml>',
        encoding="utf-8",
    )
    result = wirewatch("feeds", "--config", str(config(tmp_path)), "import", str(opml))
    refused(result, f"{opml}:1:")
