"""Which channels a config yields: the console by default, none when asked."""

from __future__ import annotations

from pathlib import Path

from daemon.config import load_config


def test_no_channels_key_prints_alerts_on_the_console(tmp_path: Path) -> None:
    cfg = tmp_path / "w.yaml"
    cfg.write_text("feeds: []\n", encoding="utf-8")
    assert [s.type for s in load_config(cfg, env={}).channels.values()] == ["console"]


def test_empty_channels_record_hits_only(tmp_path: Path) -> None:
    cfg = tmp_path / "w.yaml"
    cfg.write_text("feeds: []\nchannels: {}\n", encoding="utf-8")
    assert load_config(cfg, env={}).channels == {}
