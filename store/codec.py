"""Conversions between value types and what the databases store (text, JSON, integers).

Times are written as UTC ISO 8601 text (a parameter PostgreSQL casts to its
`timestamptz` columns) and read back from text (SQLite) or a datetime
(PostgreSQL), always as an aware UTC datetime.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from rules.model import Cue, Evidence, Mention, Relation

_U64 = 1 << 64


def ts(value: datetime | None) -> str | None:
    """A UTC ISO 8601 string for a datetime (naive values are taken as UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def dt(value: str | datetime | None) -> datetime | None:
    """The UTC datetime of a stored time: ISO text (SQLite) or a datetime (PostgreSQL)."""
    if not value:
        return None
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    return value.astimezone(UTC)


def to_signed(fingerprint: int) -> int:
    """A 64-bit unsigned fingerprint as a signed 64-bit INTEGER / BIGINT."""
    return fingerprint - _U64 if fingerprint >= 1 << 63 else fingerprint


def to_unsigned(value: int) -> int:
    """Back from a signed 64-bit integer column."""
    return value + _U64 if value < 0 else value


def evidence_json(evidence: tuple[Evidence, ...]) -> str:
    """Evidence as compact JSON."""
    return json.dumps([evidence_dict(e) for e in evidence], ensure_ascii=False)


def evidence_dict(e: Evidence) -> dict[str, Any]:
    """One piece of evidence as plain data (the shape of the public JSON)."""
    out = {
        "text": e.text,
        "start": e.start,
        "end": e.end,
        "actors": list(e.actors),
        "mentions": [
            {"actor": m.actor, "text": m.text, "start": m.start, "end": m.end} for m in e.mentions
        ],
        "terms": list(e.terms),
    }
    if e.relation is not None:
        out["relation"] = relation_dict(e.relation)
    return out


def relation_dict(r: Relation) -> dict[str, Any]:
    """A relation as plain data: pair, class, cue words, direction (null: undirected)."""
    return {
        "pair": list(r.pair),
        "class": r.cls,
        "cues": [{"class": c.cls, "text": c.text, "start": c.start, "end": c.end} for c in r.cues],
        "how": r.how,
        "source": r.source,
        "target": r.target,
        "directed": r.source is not None,
        "sentences": r.sentences,
    }


def relation_from(d: dict[str, Any] | None) -> Relation | None:
    """A relation back from its plain data."""
    if not d:
        return None
    pair = d["pair"]
    return Relation(
        pair=(pair[0], pair[1]),
        cls=d["class"],
        cues=tuple(Cue(c["class"], c["text"], c["start"], c["end"]) for c in d.get("cues", [])),
        how=d.get("how", "mentions"),
        source=d.get("source"),
        target=d.get("target"),
        sentences=d.get("sentences", 1),
    )


def evidence_from_json(raw: str) -> tuple[Evidence, ...]:
    """Evidence back from its JSON."""
    return tuple(
        Evidence(
            text=d["text"],
            start=d["start"],
            end=d["end"],
            actors=tuple(d["actors"]),
            mentions=tuple(Mention(**m) for m in d.get("mentions", [])),
            terms=tuple(d.get("terms", [])),
            relation=relation_from(d.get("relation")),
        )
        for d in json.loads(raw)
    )
