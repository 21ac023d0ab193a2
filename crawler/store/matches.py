"""Watch matches of crawled stories, as they were found when the story was stored (and alerted)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from crawler.domain.matches import WatchMatch
from crawler.store.models import Match, StoredArticle


def add_match(session: Session, article: StoredArticle, watch_match: WatchMatch) -> Match:
    """Record a watch's match of a stored story in the caller's transaction; flushed, so it has its id."""
    match = Match(
        article_id=article.id,
        watch=watch_match.watch,
        terms=list(watch_match.terms),
        hits=[hit.to_dict() for hit in watch_match.hits],
        snippet=watch_match.snippet,
        historical=watch_match.historical,
    )
    session.add(match)
    session.flush()
    return match
