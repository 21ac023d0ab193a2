"""What a watch being edited would have matched among recent stored stories, before it is saved.

Nothing is written: the editor sees how many of the stories first seen in the window (those it
would have alerted, had it existed) it matches, and the newest few.
A story kept without its body (`archive: matched` keeps only matched stories' bodies) is matched on
its title and lead, and the preview says how many were.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from crawler.domain.matches import WatchMatch
from crawler.matching.document import Document
from crawler.matching.precheck import ExtractableText
from crawler.matching.watches import CompiledWatch
from crawler.store.db import Database
from crawler.store.models import Source, StoredArticle

_BATCH = 500


@dataclass(frozen=True, slots=True)
class PreviewStory:
    article_id: int
    title: str
    url: str
    source: str
    moment: datetime
    terms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Preview:
    scanned: int  # stories of the window the watch applies to
    without_body: int  # of those, matched on title and lead only
    matched: int
    examples: tuple[PreviewStory, ...]  # the newest matches


def preview_watch(database: Database, watch: CompiledWatch, since: datetime, examples: int = 5) -> Preview:
    """Match `watch` against the stories first seen since `since`, newest first; a duplicate copy
    counts like any story, as the inbox lists each outlet's copy."""
    moment = func.coalesce(StoredArticle.published_at, StoredArticle.first_seen)
    scanned = without_body = matched = 0
    found: list[PreviewStory] = []
    with database.session() as session:
        rows = session.execute(
            select(
                StoredArticle.id,
                StoredArticle.title,
                StoredArticle.lead,
                StoredArticle.body,
                StoredArticle.url,
                Source.name,
                moment,
            )
            .outerjoin(Source, Source.id == StoredArticle.source_id)
            .where(StoredArticle.first_seen >= since)
            .order_by(StoredArticle.first_seen.desc(), StoredArticle.id.desc())
            .execution_options(yield_per=_BATCH)
        )
        for article_id, title, lead, body, url, source, when in rows:
            if source is not None and not watch.applies_to(source):
                continue
            scanned += 1
            without_body += body is None
            if not ExtractableText([title, lead, body or ""]).allows(watch.query.requirement):
                continue  # a word the watch needs is missing: the pre-check never drops a match
            hit: WatchMatch | None = watch.match_document(
                Document({"title": title, "lead": lead, "body": body or ""})
            )
            if hit is None:
                continue
            matched += 1
            if len(found) < examples:
                terms = tuple(dict.fromkeys(one.term for one in hit.hits))
                found.append(PreviewStory(article_id, title, url, source or "", when, terms))
    return Preview(scanned, without_body, matched, tuple(found))
