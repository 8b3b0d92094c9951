"""A user's mistake gets a file:line message and exit 1, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import wirewatch

pytestmark = pytest.mark.slow  # every test here starts wirewatch in a process


def check(tmp_path: Path, config: str, rules: str | None = None) -> tuple[int, str, Path]:
    cfg = tmp_path / "wirewatch.yaml"
    cfg.write_text(config, encoding="utf-8")
    rule_file = tmp_path / "watch.yaml"
    if rules is not None:
        rule_file.write_text(rules, encoding="utf-8")
    result = wirewatch("check", "--config", str(cfg))
    assert "Traceback" not in result.stderr
    return result.returncode, result.stderr, rule_file


def test_misspelt_config_key_names_file_line_and_suggests(tmp_path: Path) -> None:
    code, err, _ = check(tmp_path, "store: x.db\nfeeds:\n  - url: a.xml\n    intervall: 5m\n")
    assert code == 1
    cfg = tmp_path / "wirewatch.yaml"
    assert err.strip() == f"{cfg}:4:5: unknown key 'intervall' (did you mean 'interval'?)"


def test_bad_duration_and_unknown_channel_type_are_all_reported(tmp_path: Path) -> None:
    code, err, _ = check(
        tmp_path,
        "feeds:\n  - url: a.xml\n    interval: soon\nchannels:\n  ops:\n    type: slak\n",
    )
    cfg = tmp_path / "wirewatch.yaml"
    assert code == 1
    assert err.splitlines() == [
        f"{cfg}:3:15: feeds.0.interval: 'soon' is not a duration (use e.g. 30s, 15m, 6h, 2d)",
        f"{cfg}:6:11: channel 'ops': unknown type 'slak'; "
        "known: apprise, console, email, slack, webhook (did you mean 'slack'?)",
    ]


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    code, err, _ = check(tmp_path, "feeds:\n  - url: [a.xml\n")
    assert code == 1
    assert err.startswith(f"{tmp_path / 'wirewatch.yaml'}:3:1: ")


def test_unknown_channel_type(tmp_path: Path) -> None:
    code, err, _ = check(
        tmp_path, "channels:\n  ops:\n    type: webhok\n    url: http://127.0.0.1:9/\n"
    )
    assert code == 1
    assert err.strip() == (
        f"{tmp_path / 'wirewatch.yaml'}:3:11: channel 'ops': unknown type 'webhok'; "
        "known: apprise, console, email, slack, webhook (did you mean 'webhook'?)"
    )


def test_bad_rule_file_reports_every_error_with_lines(tmp_path: Path) -> None:
    rules = (
        "watches:\n"
        "  - id: w1\n"
        "    all: [RUS, PKR]\n"
        "    scope: sentense\n"
        "  - id: w2\n"
        "    any: [RUS]\n"
        "    severty: high\n"
    )
    code, err, rule_file = check(tmp_path, "rules: [watch.yaml]\n", rules)
    assert code == 1
    lines = err.strip().splitlines()
    assert f"{rule_file}:7:5: unknown key 'severty' (did you mean 'severity'?)" in lines
    assert lines == [
        f"{rule_file}:4:12: watches.0.scope: 'sentense' is not a scope; use sentence, "
        "paragraph, article, {within: N} or {sentences: N} (did you mean 'sentence'?)",
        f"{rule_file}:7:5: unknown key 'severty' (did you mean 'severity'?)",
    ]


def test_unknown_actor_is_reported_with_a_suggestion(tmp_path: Path) -> None:
    rules = "watches:\n  - id: w1\n    all: [RUS, PKR]\n"
    code, err, rule_file = check(tmp_path, "rules: [watch.yaml]\n", rules)
    assert code == 1
    assert err.strip() == f"{rule_file}:3:16: unknown actor 'PKR' (did you mean 'PRK'?)"


def test_missing_rule_file_is_named(tmp_path: Path) -> None:
    code, err, _ = check(tmp_path, "rules: [nowhere.yaml]\n")
    assert code == 1
    assert err.strip() == f"{tmp_path / 'nowhere.yaml'}: cannot read: No such file or directory"


def test_good_config_checks_ok(tmp_path: Path) -> None:
    code, err, _ = check(
        tmp_path,
        "rules: [watch.yaml]\nfeeds:\n  - url: a.xml\n",
        "watches:\n  - id: w1\n    all: [RUS, PRK]\n    scope: {within: 10}\n",
    )
    assert code == 0, err
