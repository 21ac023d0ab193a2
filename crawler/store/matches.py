"""Watch matches of crawled stories, as they were found when the story was stored (and alerted)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from crawler.domain.matches import WatchMatch
from crawler.store.bulk import table_of
from crawler.store.models import Match


@dataclass(frozen=True, slots=True)
class StoredMatch:
    """A match as written: what its alerts carry, without an ORM object."""

    id: int
    watch: str
    terms: list[str]
    hits: list[dict[str, Any]]
    snippet: str


def add_match(session: Session, article_id: int, watch_match: WatchMatch) -> StoredMatch:
    """Record a watch's match of a stored story in the caller's transaction, with its id."""
    match = StoredMatch(
        0,
        watch_match.watch,
        list(watch_match.terms),
        [hit.to_dict() for hit in watch_match.hits],
        watch_match.snippet,
    )
    table = table_of(Match)
    statement = insert(table).returning(table.c.id)
    values = {
        "article_id": article_id,
        "watch": match.watch,
        "terms": match.terms,
        "hits": match.hits,
        "snippet": match.snippet,
        "historical": watch_match.historical,
    }
    return replace(match, id=session.execute(statement, values).scalar_one())
