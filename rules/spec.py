"""The shape of rule files: actors and watches, as users write them in YAML.

These pydantic models are the single source of the rule language; the JSON
Schema that editors use (`wirewatch schema`) is generated from them.
"""

from __future__ import annotations

import difflib
import re
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    TypeAdapter,
    field_validator,
)

from rules.duration import parse_duration

LANG_RE = re.compile(r"^([a-z]{2,3}|\*)$")
ID_RE = r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$"

Severity = Literal["low", "medium", "high", "critical"]
Names = dict[str, list[str]]
SCOPES = ("sentence", "paragraph", "article")
# The four CAMEO/PLOVER classes of a relation between two actors.
RELATION_CLASSES = (
    "verbal_cooperation",
    "material_cooperation",
    "verbal_conflict",
    "material_conflict",
)
Relation = Literal[
    "cooperation",
    "conflict",
    "verbal_cooperation",
    "material_cooperation",
    "verbal_conflict",
    "material_conflict",
    "any",
]


def _check_langs(value: Names) -> Names:
    for lang, names in value.items():
        if not LANG_RE.match(lang):
            raise ValueError(
                f"'{lang}' is not a language code (use ISO 639-1 such as 'de', or '*' for all)"
            )
        for name in names:
            if not str(name).strip():
                raise ValueError(f"empty name under '{lang}'")
    return value


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ActorSpec(Strict):
    """A watched actor: a state, person, organisation; its names per language."""

    id: Annotated[str, Field(pattern=ID_RE, description="Unique id; ISO 3166-1 alpha-3 for states")]
    name: str | None = Field(None, description="Display name (English)")
    kind: Literal["state", "person", "organization", "group", "other"] = "other"
    names: Names = Field(
        default_factory=dict,
        description="Names per language code ('*' for every language); matched inflected",
    )
    weak: Names = Field(
        default_factory=dict,
        description="Names that count only when the same article has a full name (bare 'Kim')",
    )
    exclude: Names = Field(
        default_factory=dict,
        description="Phrases that silence a name inside them (Russian dressing, Moscow, Idaho)",
    )

    _langs = field_validator("names", "weak", "exclude")(_check_langs)


class WithinScope(Strict):
    within: Annotated[int, Field(ge=1, le=1000, description="Window size in tokens")]


class SentencesScope(Strict):
    sentences: Annotated[
        int, Field(ge=1, le=5, description="The pair and a cue within N adjacent sentences")
    ]


def _cue_field(description: str) -> list[str]:
    """A list of cue words (a field of CueSpec)."""
    out: list[str] = Field(default_factory=list, description=description)
    return out


class CueSpec(Strict):
    """Cue words of one language: what tells a relation between two actors.

    Entries are matched like names (whole words, inflected); one ending in
    `*` is a stem and matches any word starting with it, one starting with
    `*` any word ending with it.
    """

    verbal_cooperation: list[str] = _cue_field("Talks, calls, praise, pledges, support")
    material_cooperation: list[str] = _cue_field(
        "Treaties signed, arms or troops supplied, aid, visits"
    )
    verbal_conflict: list[str] = _cue_field("Accusations, threats, condemnation, warnings")
    material_conflict: list[str] = _cue_field("Sanctions, expulsions, strikes, seizures")
    bilateral: list[str] = _cue_field(
        "Words naming the two as a pair (between, both countries, 両国)"
    )
    geography: list[str] = _cue_field(
        "Words that make the actors next to them places (near, bordering, 靠近)"
    )
    count: list[str] = _cue_field(
        "Words that announce a list of three or more (four countries, 4か国)"
    )
    joiners: list[str] = _cue_field("Words that join items of a list (and, und, и, 和, articles)")

    @field_validator("*")
    @classmethod
    def _entries(cls, value: list[str]) -> list[str]:
        for entry in value:
            if not str(entry).strip().strip("*").strip():
                raise ValueError("empty cue")
        return value


def _scope_kind(value: object) -> str:
    """Which form of scope a value is, so that only that form's errors are reported."""
    if isinstance(value, SentencesScope) or (isinstance(value, dict) and "sentences" in value):
        return "SentencesScope"
    if isinstance(value, WithinScope | dict):
        return "WithinScope"
    return "Word"


class WatchSpec(Strict):
    """A rule that fires when actors appear together, optionally near terms."""

    id: Annotated[str, Field(pattern=ID_RE)]
    title: str | None = None
    all: list[str] = Field(default_factory=list, description="Every one of these actors")
    any: list[str] = Field(default_factory=list, description="At least one of these actors")
    none: list[str] = Field(
        default_factory=list, description="None of these actors anywhere in the article"
    )
    pair: list[str] = Field(
        default_factory=list,
        description="Two actors in a relation (with 'relation'); lists of 3+ do not count",
    )
    relation: Relation | None = Field(
        None,
        description="The class of relation the pair must be in, told by cue words",
    )
    unclassified: bool = Field(
        False,
        description="In a language without cue words, fire on the pair alone (outside lists)",
    )
    scope: Annotated[
        Annotated[Literal["sentence", "paragraph", "article"], Tag("Word")]
        | Annotated[WithinScope, Tag("WithinScope")]
        | Annotated[SentencesScope, Tag("SentencesScope")],
        Discriminator(_scope_kind),
    ] = "sentence"
    terms: Names = Field(
        default_factory=dict, description="Topic words per language; one must be in scope"
    )
    weights: dict[str, float] = Field(
        default_factory=dict,
        description="Weight per actor id or term (default 1); used with threshold",
    )
    threshold: float | None = Field(
        None,
        gt=0,
        description="Fire when the weights of the actors and terms in scope sum to this",
    )
    min_mentions: Annotated[int, Field(ge=1)] = 1
    languages: list[str] = Field(default_factory=list, description="Only articles in these")
    sources: list[str] = Field(default_factory=list, description="Only these feeds (URL globs)")
    severity: Severity = "medium"
    channels: list[str] = Field(default_factory=list, description="Empty: every channel")
    cooldown: str | None = Field(None, description="Quiet time per story, e.g. 6h")
    digest: str | None = Field(None, description="Digest schedule name, e.g. hourly")
    enabled: bool = True

    _terms = field_validator("terms")(_check_langs)

    @field_validator("cooldown")
    @classmethod
    def _cooldown(cls, value: str | None) -> str | None:
        if value is not None:
            parse_duration(value)  # ValueError names the problem
        return value

    @field_validator("scope", mode="before")
    @classmethod
    def _scope(cls, value: object) -> object:
        if isinstance(value, str) and value not in SCOPES:
            hint = difflib.get_close_matches(value, SCOPES, n=1)
            msg = (
                f"'{value}' is not a scope; use {', '.join(SCOPES)}, {{within: N}} "
                "or {sentences: N}"
            )
            raise ValueError(msg + (f" (did you mean '{hint[0]}'?)" if hint else ""))
        return value

    @field_validator("pair")
    @classmethod
    def _pair(cls, value: list[str]) -> list[str]:
        if value and (len(value) != 2 or value[0] == value[1]):
            raise ValueError("a pair is two different actors, e.g. [RUS, PRK]")
        return value


class RuleFile(Strict):
    """A rule file: any number of actors and watches."""

    version: str | None = Field(None, description="Free-form version, recorded with each hit")
    actors: list[ActorSpec] = Field(default_factory=list)
    watches: list[WatchSpec] = Field(default_factory=list)
    cues: dict[str, CueSpec] = Field(
        default_factory=dict,
        description="Relation cue words per language code; added to the shipped ones",
    )

    @field_validator("cues")
    @classmethod
    def _cue_langs(cls, value: dict[str, CueSpec]) -> dict[str, CueSpec]:
        for lang in value:
            if not LANG_RE.match(lang):
                raise ValueError(
                    f"'{lang}' is not a language code (use ISO 639-1 such as 'de', or '*' for all)"
                )
        return value


SCHEMA_ID = "https://wirewatch.invalid/schema/rules.json"


def rules_schema() -> dict[str, object]:
    """The JSON Schema of a rule file: watches and actors, or one actor (the library's layout)."""
    schema = TypeAdapter(RuleFile | ActorSpec).json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "wirewatch rule file",
        **schema,
    }
