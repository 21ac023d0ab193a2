"""One stored story as its page and `GET /api/v1/stories/{id}` show it: every extracted field with
its evidence, the watches it matched, dedup's verdict, every outlet that carried it, follow-up links."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crawler.domain.verdict import DocumentRef
from crawler.store.articles import duplicated_document, has_archived_html
from crawler.store.clusters import follow_ups, followed_story
from crawler.store.db import Database
from crawler.store.inbox import MAX_ID, Copy, cluster_copies
from crawler.store.models import StoredArticle


@dataclass(frozen=True, slots=True)
class WatchHit:
    watch: str
    terms: tuple[str, ...]
    hits: tuple[dict[str, Any], ...]
    snippet: str
    historical: bool


@dataclass(frozen=True, slots=True)
class StoryView:
    """A stored story with everything the story page and `GET /api/v1/stories/{id}` show."""

    id: int
    title: str
    url: str
    canonical_url: str
    source: str
    authors: tuple[str, ...]
    editors: tuple[str, ...]
    published_at: datetime | None
    published_date_only: bool
    modified_at: datetime | None
    first_seen: datetime
    section: str
    source_org: str
    tags: tuple[str, ...]
    language: str
    paywalled: bool
    lead: str
    body: str | None
    field_sources: dict[str, Any]
    verdict: str
    similarity: float | None
    duplicate_of: DocumentRef | None
    matches: tuple[WatchHit, ...]
    copies: tuple[Copy, ...]
    follows: DocumentRef | None
    followed_by: tuple[DocumentRef, ...] = field(default=())
    archived: bool = False
    cluster: int | None = None


def story_view(database: Database, article_id: int) -> StoryView | None:
    """Everything stored about one story, or None when there is no such article."""
    if not 0 < article_id <= MAX_ID:  # past the id column's range: no such article, not a driver error
        return None
    with database.session() as session:
        row = session.scalars(
            select(StoredArticle)
            .where(StoredArticle.id == article_id)
            .options(selectinload(StoredArticle.matches), selectinload(StoredArticle.source))
        ).first()
        if row is None:
            return None
        copies = cluster_copies(session, {row.cluster_id})
        later = [
            DocumentRef("article", later.id, later.title or later.url)
            for later in session.scalars(
                select(StoredArticle).where(StoredArticle.id.in_(follow_ups(session, row.id)))
            )
        ]
        return StoryView(
            id=row.id,
            title=row.title,
            url=row.url,
            canonical_url=row.canonical_url,
            source=row.source.name if row.source else "",
            authors=tuple(row.authors),
            editors=tuple(row.editors),
            published_at=row.published_local,
            published_date_only=row.published_date_only,
            modified_at=row.modified_local,
            first_seen=row.first_seen,
            section=row.section,
            source_org=row.source_org,
            tags=tuple(row.tags),
            language=row.language,
            paywalled=row.paywalled,
            lead=row.lead,
            body=row.body,
            field_sources=dict(row.field_sources),
            verdict=row.verdict,
            similarity=row.similarity,
            duplicate_of=duplicated_document(session, row),
            matches=tuple(
                WatchHit(match.watch, tuple(match.terms), tuple(match.hits), match.snippet, match.historical)
                for match in row.matches
            ),
            copies=tuple(copies.get(row.cluster_id, ())),
            follows=followed_story(session, row.id),
            followed_by=tuple(later),
            archived=has_archived_html(session, row.id),
            cluster=row.cluster_id,
        )
