"""Stored stories: the one "is this story stored" query, writing a crawled story, and reading them back."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Select, case, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from crawler.domain.article import Article
from crawler.domain.verdict import DocumentRef
from crawler.store import search
from crawler.store.bulk import insert_skipping_present, table_of
from crawler.store.db import Database
from crawler.store.models import ArchivedPage, SeedDocument, StoredArticle

_EXPORT_BATCH = 500


def stored_canonical_urls(session: Session, canonical_urls: Iterable[str]) -> set[str]:
    """Those of `canonical_urls` the database already holds: a story is fetched and stored once."""
    wanted = list(canonical_urls)
    if not wanted:
        return set()
    query = select(StoredArticle.canonical_url).where(StoredArticle.canonical_url.in_(wanted))
    return set(session.scalars(query))


def stored_by_another(session: Session, error: Exception, canonical_url: str) -> bool:
    """Whether `error` is the unique-key conflict of a story another process stored first."""
    return isinstance(error, IntegrityError) and bool(stored_canonical_urls(session, [canonical_url]))


@dataclass(frozen=True, slots=True)
class NewStory:
    """A crawled story to store: its article, where it came from, whether its body (and the HTML it
    was read from) is kept."""

    article: Article
    source_id: int | None
    run_id: int | None
    keep_body: bool
    pages: Sequence[str] = ()  # the HTML it was read from, archived with a kept body

    def row(self) -> dict[str, Any]:
        article = self.article
        return {
            "canonical_url": article.canonical_url,
            "url": article.url,
            "source_id": self.source_id,
            "title": article.title,
            "authors": list(article.authors),
            "published_at": article.published_at,
            "published_offset_minutes": _offset_minutes(article.published_at),
            "published_date_only": article.published_date_only,
            "modified_at": article.modified_at,
            "editors": list(article.editors),
            "source_org": article.source_org,
            "section": article.section,
            "field_sources": dict(article.field_sources),
            "body": article.body if self.keep_body else None,
            "lead": article.lead,
            "language": article.language,
            "tags": list(article.tags),
            "paywalled": article.paywalled,
            "crawl_run_id": self.run_id,
        }


@dataclass(frozen=True, slots=True)
class StoredStory:
    """A story `insert_articles` wrote, as its alerts read it, without loading it back."""

    id: int
    url: str
    title: str
    lead: str
    source_name: str | None
    published_local: datetime | None
    published_date_only: bool
    cluster_id: int | None

    @classmethod
    def of(cls, article: Article, article_id: int, source_name: str, cluster_id: int | None) -> StoredStory:
        published = article.published_at
        offset = _offset_minutes(published)
        local = (
            published
            if published is None or offset is None
            else published.astimezone(timezone(timedelta(minutes=offset)))
        )
        return cls(
            article_id,
            article.url,
            article.title,
            article.lead,
            source_name,
            local,
            article.published_date_only,
            cluster_id,
        )


def insert_articles(session: Session, stories: Sequence[NewStory]) -> dict[str, int]:
    """Insert crawled stories in the caller's transaction, all in one statement: canonical URL -> id.

    A story whose canonical URL is stored already (another process stored it a moment ago) is
    skipped, not an error, and missing from the result.
    """
    if not stories:
        return {}
    table = table_of(StoredArticle)
    statement = insert_skipping_present(session, table, ["canonical_url"]).returning(
        table.c.canonical_url, table.c.id, table.c.first_seen
    )
    rows = [story.row() for story in stories]
    written = {url: (article_id, seen) for url, article_id, seen in session.execute(statement, rows)}
    kept = [(*written[row["canonical_url"]], story, row) for story, row in zip(stories, rows, strict=True)
            if row["canonical_url"] in written]  # fmt: skip
    # Core inserts fire no ORM events: the full-text index and the archived pages are written here.
    search.index_stories(
        session.connection(),
        [(i, row["published_at"] or seen, row["title"], row["body"]) for i, seen, _, row in kept],
    )
    archived = [
        {
            "article_id": i,
            "html": zlib.compress("\n".join(s.pages).encode("utf-8", "replace"), 6),
            "pages": len(s.pages),
        }
        for i, _, s, _ in kept
        if s.keep_body and s.pages
    ]
    if archived:
        session.execute(insert(table_of(ArchivedPage)), archived)
    return {url: article_id for url, (article_id, _) in written.items()}


def archived_html(database: Database, article_id: int) -> str | None:
    """The HTML a story was read from, as it was fetched; None when it was not kept."""
    if not 0 < article_id < 2**31:  # past the id column's range: none kept, not a driver error
        return None
    with database.session() as session:
        row = session.get(ArchivedPage, article_id)
        return None if row is None else zlib.decompress(row.html).decode("utf-8", "replace")


def has_archived_html(session: Session, article_id: int) -> bool:
    return session.get(ArchivedPage, article_id) is not None


def stored_story(session: Session, reference: int | str) -> tuple[str, str | None] | None:
    """Title and kept body of a stored article by id, or by URL (canonical or as fetched)."""
    if isinstance(reference, int):
        row = session.get(StoredArticle, reference)
    else:
        query = select(StoredArticle).where(
            (StoredArticle.canonical_url == reference) | (StoredArticle.url == reference)
        )
        row = session.scalars(query.order_by(StoredArticle.id).limit(1)).first()
    return None if row is None else (row.title, row.body)


def article_by_id(session: Session, article_id: int) -> StoredArticle | None:
    return session.get(StoredArticle, article_id)


def newest_articles(
    session: Session, limit: int, *, matched_only: bool = False, since: datetime | None = None
) -> list[StoredArticle]:
    """The latest stories first seen (at or after `since`), with their source and matches loaded."""
    query = _with_source_and_matches()
    if matched_only:
        query = query.where(StoredArticle.matches.any())
    if since is not None:
        query = query.where(StoredArticle.first_seen >= since)
    query = query.order_by(StoredArticle.first_seen.desc(), StoredArticle.id.desc()).limit(limit)
    return list(session.scalars(query))


def matched_articles(session: Session) -> list[StoredArticle]:
    """Every story that matched a watch, oldest publication first, with source and matches loaded."""
    query = _with_source_and_matches().where(StoredArticle.matches.any())
    return list(session.scalars(query.order_by(StoredArticle.published_at, StoredArticle.id)))


def all_articles(session: Session) -> Iterator[StoredArticle]:
    """Every stored story in id order, read in batches so an export never holds the archive in memory."""
    query = _with_source_and_matches().order_by(StoredArticle.id).execution_options(yield_per=_EXPORT_BATCH)
    yield from session.scalars(query)


def duplicated_document(session: Session, row: StoredArticle) -> DocumentRef | None:
    """The article (labelled by URL) or seed (by file name) the story duplicates, if any."""
    if row.duplicate_of_article_id is not None:
        url = session.scalar(select(StoredArticle.url).where(StoredArticle.id == row.duplicate_of_article_id))
        return DocumentRef("article", row.duplicate_of_article_id, url or "")
    if row.duplicate_of_seed_id is not None:
        name = session.scalar(select(SeedDocument.name).where(SeedDocument.id == row.duplicate_of_seed_id))
        return DocumentRef("seed", row.duplicate_of_seed_id, name or "")
    return None


def articles_per_source_since(session: Session, since: datetime) -> dict[int | None, int]:
    """Source id -> stories first seen since `since`."""
    query = (
        select(StoredArticle.source_id, func.count())
        .where(StoredArticle.first_seen >= since)
        .group_by(StoredArticle.source_id)
    )
    return {source_id: count for source_id, count in session.execute(query)}


def missing_fields_per_source_since(session: Session, since: datetime) -> dict[int | None, dict[str, int]]:
    """Source id -> how many of its stories first seen since `since` lack an author, a publication time.

    Pantau leaves a field empty when no evidence on the page supports it; many stories of one source
    without it tell its maintainer that the portal changed, not that those stories had none."""
    no_authors = func.coalesce(func.json_array_length(StoredArticle.authors), 0) == 0
    query = (
        select(
            StoredArticle.source_id,
            func.sum(case((no_authors, 1), else_=0)),
            func.sum(case((StoredArticle.published_at.is_(None), 1), else_=0)),
        )
        .where(StoredArticle.first_seen >= since)
        .group_by(StoredArticle.source_id)
    )
    return {
        source_id: {"authors": int(authors or 0), "published_at": int(published or 0)}
        for source_id, authors, published in session.execute(query)
    }


def _with_source_and_matches() -> Select[StoredArticle]:
    return select(StoredArticle).options(
        selectinload(StoredArticle.matches), selectinload(StoredArticle.source)
    )


def _offset_minutes(moment: datetime | None) -> int | None:
    offset = moment.utcoffset() if moment is not None else None
    return None if offset is None else int(offset.total_seconds() // 60)
