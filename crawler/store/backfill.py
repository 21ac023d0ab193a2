"""Run a new or changed watch over the stored archive and the seed corpus, as history.

Every stored story with a body and every seed text is evaluated again, and the watch's historical
matches are made to agree with what it matches now: new hits recorded, changed ones rewritten, and
the ones that no longer hold removed. Matches recorded when a story was crawled stay as they were:
they are what was alerted. Nothing here enqueues alerts: these stories were news before the watch
existed or changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from crawler.domain.matches import WatchMatch
from crawler.matching.document import Document
from crawler.matching.watches import CompiledWatch
from crawler.store.db import Database
from crawler.store.models import Match, SeedDocument, StoredArticle

_BATCH = 200

# A match's document: (article id, None) or (None, seed id).
_DocumentKey = tuple[int | None, int | None]


@dataclass(frozen=True, slots=True)
class BackfillReport:
    watch: str
    articles_scanned: int
    articles_matched: int
    seeds_scanned: int
    seeds_matched: tuple[str, ...]  # seed file names
    recorded: int  # historical matches added (stories and seeds)
    updated: int  # historical matches whose hits changed with the watch
    removed: int  # historical matches the watch no longer makes


def backfill(database: Database, watch: CompiledWatch) -> BackfillReport:
    """Match `watch` against every stored article with a body and every seed document, as history."""
    with database.session() as session:
        history = _History(session, watch.name)
        scanned = matched = 0
        articles = session.scalars(
            select(StoredArticle)
            .where(StoredArticle.body.is_not(None))
            .options(selectinload(StoredArticle.source))
            .order_by(StoredArticle.id)
            .execution_options(yield_per=_BATCH)
        )
        for article in articles:
            if article.source is not None and not watch.applies_to(article.source.name):
                continue  # a watch narrowed to other sources: its history here goes too
            scanned += 1
            found = watch.match_document(
                Document({"title": article.title, "lead": article.lead, "body": article.body or ""})
            )
            if found is not None:
                matched += 1
                history.holds((article.id, None), found)
        seeds = session.execute(
            select(SeedDocument.id, SeedDocument.name, SeedDocument.title, SeedDocument.body).order_by(
                SeedDocument.name
            )
        ).all()
        seeds_matched = []
        for seed_id, name, title, body in seeds:
            found = watch.match_document(Document({"title": title, "body": body}))
            if found is not None:
                seeds_matched.append(name)
                history.holds((None, seed_id), found)
        removed = history.remove_stale()
    return BackfillReport(
        watch.name,
        scanned,
        matched,
        len(seeds),
        tuple(seeds_matched),
        history.recorded,
        history.updated,
        removed,
    )


class _History:
    """The watch's matches as stored, brought in line with what the watch matches now."""

    def __init__(self, session: Session, watch: str) -> None:
        self.session = session
        self.watch = watch
        self.existing: dict[_DocumentKey, Match] = {
            (match.article_id, match.seed_id): match
            for match in session.scalars(select(Match).where(Match.watch == watch))
        }
        self.held: set[_DocumentKey] = set()
        self.recorded = self.updated = 0

    def holds(self, key: _DocumentKey, found: WatchMatch) -> None:
        """The watch matches this document: record the match, or rewrite a historical one that changed."""
        self.held.add(key)
        hits = [hit.to_dict() for hit in found.hits]
        current = self.existing.get(key)
        if current is None:
            article_id, seed_id = key
            self.session.add(
                Match(
                    article_id=article_id,
                    seed_id=seed_id,
                    watch=self.watch,
                    terms=list(found.terms),
                    hits=hits,
                    snippet=found.snippet,
                    historical=True,
                )
            )
            self.recorded += 1
        elif current.historical and current.hits != hits:
            current.terms, current.hits, current.snippet = list(found.terms), hits, found.snippet
            self.updated += 1

    def remove_stale(self) -> int:
        """Delete the historical matches no document held in this run; the number deleted."""
        stale = [match for key, match in self.existing.items() if match.historical and key not in self.held]
        for match in stale:
            self.session.delete(match)
        return len(stale)
