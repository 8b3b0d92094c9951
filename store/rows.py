"""Row mappers: database rows (dicts by column name) as the store's value types.

One place for each mapping, used by every unit that reads the table. Pure:
no SQL runs here, only the column lists the queries select.
"""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import datetime
from typing import Any

from rules.model import Article
from store.codec import dt, evidence_from_json
from store.model import DeliveryJob, Destination, FeedState, StoredHit, StoryArticle

# What `hit()` reads: a hit joined with its article (`hits h JOIN articles a`).
HIT_COLUMNS = """
    h.id, h.watch_id, h.title, h.severity, h.article_id, a.title AS article_title,
    a.url AS article_url, a.feed_url, a.feed_title, a.lang, a.published_at,
    h.created_at, h.evidence, h.condition, h.rule_file, h.rule_version
"""

# What `job()` reads: a delivery with its hit and article, and its parent's key.
JOB_SELECT = f"""
    SELECT d.id AS d_id, d.channel, d.idempotency_key, d.attempts, d.status,
           d.created_at AS d_created_at, d.next_attempt_at, d.last_error, d.kind, d.story_id,
           d.digest, d.sent_at AS d_sent_at, p.idempotency_key AS parent_key,
           p.remote_ref AS parent_ref, {HIT_COLUMNS}
    FROM deliveries d JOIN hits h ON h.id = d.hit_id
    JOIN articles a ON a.id = h.article_id
    LEFT JOIN deliveries p ON p.id = d.parent_id
"""

# What `article()` reads.
ARTICLE_COLUMNS = "id, feed_url, url, title, text, published_at, lang, guid, feed_title"

# What `story_article()` reads: an article with how it joined its story.
STORY_ARTICLE_SELECT = """
    SELECT a.id, a.title, a.url, a.lang, a.feed_title, a.feed_url, a.published_at,
           a.fetched_at, a.story_id, j.method, j.score, j.shared
    FROM articles a LEFT JOIN story_joins j ON j.article_id = a.id
"""

# Rows carry FeedState's fields by name (`SELECT *` from feeds).
_FEED_FIELDS = tuple(f.name for f in fields(FeedState))
_FEED_DATES = frozenset(f.name for f in fields(FeedState) if "datetime" in str(f.type))


def feed_state(r: dict[str, Any]) -> FeedState:
    """A feeds row as a FeedState."""
    values: dict[str, Any] = {n: dt(r[n]) if n in _FEED_DATES else r[n] for n in _FEED_FIELDS}
    return FeedState(**values)


def article(r: dict[str, Any]) -> Article:
    """An articles row (ARTICLE_COLUMNS) as an Article."""
    return Article(
        id=r["id"],
        feed_url=r["feed_url"],
        url=r["url"] or "",
        title=r["title"] or "",
        text=r["text"] or "",
        published_at=dt(r["published_at"]),
        lang=r["lang"],
        guid=r["guid"],
        feed_title=r["feed_title"],
    )


def hit(r: dict[str, Any]) -> StoredHit:
    """A hit row with its article's columns (HIT_COLUMNS) as a StoredHit."""
    created = dt(r["created_at"])
    assert created is not None
    return StoredHit(
        id=r["id"],
        watch_id=r["watch_id"],
        title=r["title"] or r["watch_id"],
        severity=r["severity"],
        article_id=r["article_id"],
        article_title=r["article_title"] or "",
        article_url=r["article_url"] or "",
        feed_url=r["feed_url"],
        feed_title=r["feed_title"],
        lang=r["lang"],
        published_at=dt(r["published_at"]),
        created_at=created,
        evidence=evidence_from_json(r["evidence"]),
        condition=r["condition"] or "",
        rule_file=r["rule_file"] or "",
        rule_version=r["rule_version"] or "",
    )


def job(r: dict[str, Any]) -> DeliveryJob:
    """A delivery row (JOB_SELECT) as a DeliveryJob."""
    created, next_at = dt(r["d_created_at"]), dt(r["next_attempt_at"])
    assert created is not None and next_at is not None
    return DeliveryJob(
        id=r["d_id"],
        channel=r["channel"],
        idempotency_key=r["idempotency_key"],
        attempts=r["attempts"],
        status=r["status"],
        created_at=created,
        next_attempt_at=next_at,
        last_error=r["last_error"],
        hit=hit(r),
        kind=r["kind"],
        story_id=r["story_id"],
        digest=bool(r["digest"]),
        sent_at=dt(r["d_sent_at"]),
        parent_key=r["parent_key"],
        parent_ref=r["parent_ref"],
    )


def destination(r: dict[str, Any]) -> Destination:
    """A destinations row as a Destination."""
    return Destination(r["channel"], r["status"], r["reason"], dt(r["changed_at"]) or datetime.min)


def story_article(r: dict[str, Any]) -> StoryArticle:
    """An article row with its story join (STORY_ARTICLE_SELECT) as a StoryArticle."""
    return StoryArticle(
        article_id=r["id"],
        title=r["title"] or "",
        url=r["url"] or "",
        lang=r["lang"],
        outlet=r["feed_title"] or r["feed_url"],
        published_at=dt(r["published_at"]),
        method=r["method"] or "new",
        score=float(r["score"] or 0.0),
        shared=[(str(p), float(w), str(label)) for p, w, label in json.loads(r["shared"] or "[]")],
        story_id=r["story_id"],
        fetched_at=dt(r["fetched_at"]),
    )
