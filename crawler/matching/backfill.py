"""Run a new or changed watch over the stored archive and the seed corpus, as history.

Backfilled matches are recorded with `historical=True` and never enqueue alerts: they describe
stories that were news before the watch existed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crawler.matching.document import Document
from crawler.matching.watches import CompiledWatch
from crawler.store.db import Database
from crawler.store.models import Match, SeedDocument, StoredArticle

_BATCH = 200


@dataclass(frozen=True, slots=True)
class BackfillReport:
    watch: str
    articles_scanned: int
    articles_matched: int
    matches_recorded: int  # matched articles that had no match of this watch yet
    seeds_scanned: int
    seeds_matched: tuple[str, ...]  # seed names; seeds are not articles, so nothing is stored


def backfill(database: Database, watch: CompiledWatch) -> BackfillReport:
    """Match `watch` against every stored article with a body and every seed document."""
    scanned = matched = recorded = 0
    with database.session() as session:
        already = set(session.scalars(select(Match.article_id).where(Match.watch == watch.name)))
        articles = session.scalars(
            select(StoredArticle)
            .where(StoredArticle.body.is_not(None))
            .options(selectinload(StoredArticle.source))
            .order_by(StoredArticle.id)
            .execution_options(yield_per=_BATCH)
        )
        for article in articles:
            if article.source is not None and not watch.applies_to(article.source.name):
                continue
            scanned += 1
            found = watch.match_document(
                Document({"title": article.title, "lead": article.lead, "body": article.body or ""})
            )
            if found is None:
                continue
            matched += 1
            if article.id in already:
                continue
            session.add(
                Match(
                    article_id=article.id,
                    watch=watch.name,
                    terms=list(found.terms),
                    hits=[hit.to_dict() for hit in found.hits],
                    snippet=found.snippet,
                    historical=True,
                )
            )
            recorded += 1
        seeds = session.execute(
            select(SeedDocument.name, SeedDocument.title, SeedDocument.body).order_by(SeedDocument.name)
        ).all()
    seeds_matched = tuple(
        name
        for name, title, body in seeds
        if watch.match_document(Document({"title": title, "body": body})) is not None
    )
    return BackfillReport(watch.name, scanned, matched, recorded, len(seeds), seeds_matched)
