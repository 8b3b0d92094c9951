"""Value types shared by every layer: articles, mentions, evidence, hits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Article:
    """One news item, reduced to text.

    `text` is what matching runs on; paragraphs are separated by blank lines
    and character offsets in evidence point into it.
    """

    id: str
    feed_url: str
    url: str
    title: str
    text: str
    published_at: datetime | None = None
    lang: str | None = None
    guid: str | None = None
    feed_title: str | None = None


@dataclass(frozen=True, slots=True)
class Mention:
    """A name of an actor found in a text, with character offsets."""

    actor: str
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Cue:
    """A cue word of a relation class found in a text, with character offsets."""

    cls: str  # verbal_cooperation | material_cooperation | verbal_conflict | material_conflict
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Relation:
    """How two actors relate in a passage: the class, the cue words, who acts on whom.

    `source`/`target` are set only when the sentence makes the direction plain;
    `how` says what made the two a pair (free mentions, a compound such as
    "Russia-North Korea", a coordination "A and B", or a bilateral phrase).
    """

    pair: tuple[str, str]
    cls: str
    cues: tuple[Cue, ...]
    how: str = "mentions"
    source: str | None = None
    target: str | None = None
    sentences: int = 1


@dataclass(frozen=True, slots=True)
class Evidence:
    """The passage (sentence, paragraph or window) that made a watch fire."""

    text: str
    start: int
    end: int
    actors: tuple[str, ...]
    mentions: tuple[Mention, ...] = ()
    terms: tuple[str, ...] = ()
    score: float | None = None  # the summed weights, for watches with a threshold
    relation: Relation | None = None  # for watches with a pair


@dataclass(frozen=True, slots=True)
class Hit:
    """A watch that fired on an article, with why."""

    watch_id: str
    article_id: str
    evidence: tuple[Evidence, ...]
    severity: str = "medium"
    title: str = ""
    channels: tuple[str, ...] = ()
    rule_file: str = ""
    rule_version: str = ""
    condition: str = ""


@dataclass(frozen=True, slots=True)
class MatchResult:
    """Everything matching found in one text: mentions by actor and hits."""

    lang: str
    mentions: dict[str, tuple[Mention, ...]] = field(default_factory=dict)
    hits: tuple[Hit, ...] = ()
