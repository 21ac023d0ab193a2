"""The inbox of matched stories: one row per story, its copies folded under it, newest first, with the
inbox's filters and full-text search (one story's page is crawler/store/story.py).

One query layer serves the HTML pages and the REST API with the same `InboxFilter` and `Cursor`.
A story's time is when the portal published it, or when Pantau first saw it when the page gave none.
"""

from __future__ import annotations

import base64
import binascii
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload

from crawler.store.clusters import outlet_of
from crawler.store.db import Database
from crawler.store.marks import marked, marks_of
from crawler.store.models import Match, Source, StoredArticle
from crawler.store.search import Found, NewestFirst, search_filter

MAX_PAGE = 200
SEARCH_BATCH = 1000
"""The most rows one read of a walk that keeps a common search's stories takes (it doubles up to this)."""
MAX_ID = 2**31 - 1
"""The largest id an INTEGER column holds on PostgreSQL (SQLite's is larger)."""


class CursorError(ValueError):
    """A paging cursor that this query layer did not write."""


@dataclass(frozen=True, slots=True)
class InboxFilter:
    """The inbox's filters; `since` is inclusive and `until` exclusive, both aware.

    The marks are the reader's (`reader`, a user id): `read` keeps read or unread stories, `starred`
    only starred ones; hidden stories are left out unless `hidden` asks for them alone. A `cluster`
    lists every copy of that story instead of folding them.
    """

    watch: str | None = None
    source: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    search: str | None = None
    cluster: int | None = None
    reader: int | None = None
    read: str | None = None
    starred: bool = False
    hidden: bool = False


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a page ended: the last story's time and id (stories are ordered newest first)."""

    moment: datetime
    article_id: int

    def token(self) -> str:
        raw = f"{self.moment.isoformat()}|{self.article_id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def from_token(cls, token: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            moment, article_id = raw.split("|")
            parsed = datetime.fromisoformat(moment)
            if parsed.tzinfo is None:
                raise ValueError(moment)
            return cls(parsed, int(article_id))
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise CursorError(f"{token!r} is not a cursor of this list; start again without one") from None


@dataclass(frozen=True, slots=True)
class Copy:
    """One outlet's copy of a story: its article, where and when it appeared, and the lag from the first."""

    article_id: int
    outlet: str
    url: str
    source: str
    moment: datetime
    lag: timedelta


@dataclass(frozen=True, slots=True)
class InboxStory:
    article_id: int
    title: str
    url: str
    source: str
    moment: datetime
    watches: tuple[str, ...]
    snippet: str
    copies: tuple[Copy, ...]
    cluster: int | None = None
    read: bool = False
    starred: bool = False
    hidden: bool = False

    @property
    def outlets(self) -> int:
        """How many outlets carried the story (at least the one shown)."""
        return max(1, len({copy.outlet for copy in self.copies}))


def _story_time() -> ColumnElement[datetime]:
    return func.coalesce(StoredArticle.published_at, StoredArticle.first_seen)


def inbox_page(
    database: Database, filters: InboxFilter, *, after: Cursor | None = None, limit: int = 50
) -> tuple[list[InboxStory], Cursor | None]:
    """A page of matched stories, newest first, one per story cluster (its earliest copy within the
    filters leads); the cursor of the next page, or None on the last.

    The stories passing the filters are read newest first in batches; a copy is kept when it is the
    earliest passing copy of its cluster (one query per batch over the batch's clusters), so a page
    costs a few batches whatever the size of the archive.

    A search narrows the walk as `search_filter` says: a condition, or (a common word on SQLite) the
    ids to keep, dropping the other stories as the walk goes.
    """
    limit = max(1, min(limit, MAX_PAGE))
    batch = 4 * (limit + 1)
    story_time = _story_time()
    with database.session() as session:
        found = None
        if filters.search:
            found = search_filter(session, filters.search, after.moment if after else None)
        passing = _passing(session, filters, found)
        if passing is None:
            return [], None
        searched = found.keep if found is not None else None
        leads: list[int] = []
        position = after
        while len(leads) <= limit:
            query = select(StoredArticle.id, StoredArticle.cluster_id, story_time).where(*passing)
            if position is not None:
                query = query.where(
                    _before(story_time, StoredArticle.id, position.moment, position.article_id)
                )
            read = session.execute(
                query.order_by(story_time.desc(), StoredArticle.id.desc()).limit(batch)
            ).all()
            rows = read
            if searched is not None and read:
                holding = searched.down_to(read[-1][2])
                rows = [row for row in read if row[0] in holding]
            if filters.cluster is None:
                firsts = _earliest_copies(
                    session, {cluster for _, cluster, _ in rows if cluster is not None}, passing, searched
                )
                leads += [article_id for article_id, cluster, _ in rows
                          if cluster is None or firsts[cluster] == article_id]  # fmt: skip
            else:  # one story asked for: every copy of it
                leads += [article_id for article_id, _, _ in rows]
            if len(read) < batch:
                break
            position = Cursor(read[-1][2], read[-1][0])
            if searched is not None:  # most rows read lacked the words: read more next time
                batch = min(2 * batch, SEARCH_BATCH)
        more = len(leads) > limit
        stories = _inbox_stories(session, leads[:limit], filters.watch, filters.reader)
    last = stories[-1] if more and stories else None
    return stories, (Cursor(last.moment, last.article_id) if last else None)


def inbox_story(database: Database, article_id: int, reader: int | None) -> InboxStory | None:
    """One story as an inbox row, with the reader's marks (after marking it)."""
    with database.session() as session:
        if session.get(StoredArticle, article_id) is None:
            return None
        return _inbox_stories(session, [article_id], None, reader)[0]


def _passing(session: Session, filters: InboxFilter, found: Found | None) -> list[ColumnElement[bool]] | None:
    """The filters as conditions on a stored article; None when nothing can pass (no row for the source
    named, no story with the words searched)."""
    if found is not None and found.none:
        return None
    story_time = _story_time()
    # EXISTS, not IN: the database walks the story-time index newest first and stops at a batch.
    matched = exists().where(Match.article_id == StoredArticle.id)
    if filters.watch:
        matched = matched.where(Match.watch == filters.watch)
    conditions: list[ColumnElement[bool]] = [matched]
    if filters.source:
        source_id = session.scalar(select(Source.id).where(Source.name == filters.source))
        if source_id is None:
            return None
        conditions.append(StoredArticle.source_id == source_id)
    if filters.since is not None:
        conditions.append(story_time >= filters.since)
    if filters.until is not None:
        conditions.append(story_time < filters.until)
    if filters.cluster is not None:
        conditions.append(StoredArticle.cluster_id == filters.cluster)
    if found is not None and found.condition is not None:
        conditions.append(found.condition)
    if filters.reader is not None:
        conditions += marked(filters.reader, filters.read, starred=filters.starred, hidden=filters.hidden)
    return conditions


def _earliest_copies(
    session: Session, clusters: set[int], passing: list[ColumnElement[bool]], searched: NewestFirst | None
) -> dict[int | None, int]:
    """Cluster id -> the article id of its earliest copy that passes the filters (and is `searched`)."""
    if not clusters:
        return {}
    story_time = _story_time()
    rows = session.execute(
        select(StoredArticle.cluster_id, StoredArticle.id, story_time)
        .where(StoredArticle.cluster_id.in_(clusters), *passing)
        .order_by(story_time.desc(), StoredArticle.id.desc())
    ).all()
    holding = searched.down_to(rows[-1][2]) if searched is not None and rows else None
    return {  # the last written is the earliest
        cluster: article_id for cluster, article_id, _ in rows if holding is None or article_id in holding
    }


def _before(
    moment: ColumnElement[datetime],
    article_id: InstrumentedAttribute[int],
    other_moment: datetime,
    other_id: int,
) -> ColumnElement[bool]:
    """(moment, id) sorts before (other_moment, other_id) in story order."""
    return or_(moment < other_moment, and_(moment == other_moment, article_id < other_id))


def _inbox_stories(
    session: Session, ids: list[int], watch: str | None, reader: int | None
) -> list[InboxStory]:
    articles = {
        row.id: row
        for row in session.scalars(
            select(StoredArticle)
            .where(StoredArticle.id.in_(ids))
            .options(selectinload(StoredArticle.matches), selectinload(StoredArticle.source))
        )
    }
    copies = cluster_copies(session, {row.cluster_id for row in articles.values()})
    marks = marks_of(session, reader, ids)
    stories = []
    for article_id in ids:
        row = articles[article_id]
        matches = [match for match in row.matches if watch is None or match.watch == watch]
        stories.append(
            InboxStory(
                article_id=row.id,
                title=row.title,
                url=row.url,
                source=row.source.name if row.source else "",
                moment=row.published_at or row.first_seen,
                watches=tuple(match.watch for match in row.matches),
                snippet=matches[0].snippet if matches else "",
                copies=tuple(copies.get(row.cluster_id, ())),
                cluster=row.cluster_id,
                **marks.get(row.id, {}),
            )
        )
    return stories


def cluster_copies(session: Session, cluster_ids: set[int | None]) -> dict[int | None, list[Copy]]:
    """Each cluster's copies, one per outlet (its first), oldest first, with the lag from the first."""
    cluster_ids = cluster_ids - {None}
    if not cluster_ids:
        return {}
    story_time = _story_time()
    rows = session.execute(
        select(StoredArticle.id, StoredArticle.cluster_id, StoredArticle.url, Source.name, story_time)
        .outerjoin(Source, StoredArticle.source_id == Source.id)
        .where(StoredArticle.cluster_id.in_(cluster_ids))
        .order_by(story_time, StoredArticle.id)
    )
    by_cluster: dict[int | None, list[Copy]] = defaultdict(list)
    for article_id, cluster_id, url, source, moment in rows:
        copies = by_cluster[cluster_id]
        outlet = outlet_of(url)
        if any(copy.outlet == outlet for copy in copies):
            continue
        lag = moment - copies[0].moment if copies else timedelta(0)
        copies.append(Copy(article_id, outlet, url, source or "", moment, lag))
    return by_cluster


def watch_names(database: Database) -> list[str]:
    """Every watch that has matched a stored story, for the inbox's filter."""
    # One index probe per name (a loose index scan): DISTINCT would read every match in the archive.
    stored = Match.article_id.is_not(None)
    names = select(func.min(Match.watch).label("watch")).where(stored).cte("names", recursive=True)
    following = select(func.min(Match.watch)).where(stored, Match.watch > names.c.watch).scalar_subquery()
    names = names.union_all(select(following).where(names.c.watch.is_not(None)))
    with database.session() as session:
        return list(session.scalars(select(names.c.watch).where(names.c.watch.is_not(None))))
