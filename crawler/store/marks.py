"""Each reader's own marks on stories (read, hidden, starred): set on a story and every copy of it,
read back for the inbox's rows, and turned into the inbox's conditions."""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session

from crawler.store.db import Database
from crawler.store.models import StoredArticle, StoryMark, utcnow

READ_STATES = ("read", "unread")


def marked(reader: int, read: str | None, *, starred: bool, hidden: bool) -> list[ColumnElement[bool]]:
    """The reader's marks as conditions: hidden stories only when asked for, read/unread, starred."""
    mark = exists().where(StoryMark.user_id == reader, StoryMark.article_id == StoredArticle.id)
    hidden_mark = mark.where(StoryMark.hidden)
    conditions = [hidden_mark if hidden else ~hidden_mark]
    if read == "read":
        conditions.append(mark.where(StoryMark.read))
    elif read == "unread":
        conditions.append(~mark.where(StoryMark.read))
    if starred:
        conditions.append(mark.where(StoryMark.starred))
    return conditions


def marks_of(session: Session, reader: int | None, ids: list[int]) -> dict[int, dict[str, bool]]:
    """Article id -> the reader's marks on it, for the stories that have any."""
    if reader is None or not ids:
        return {}
    rows = session.scalars(
        select(StoryMark).where(StoryMark.user_id == reader, StoryMark.article_id.in_(ids))
    )
    return {row.article_id: {"read": row.read, "starred": row.starred, "hidden": row.hidden} for row in rows}


MARKS = {"read": ("read", True), "unread": ("read", False), "star": ("starred", True),
         "unstar": ("starred", False), "hide": ("hidden", True), "unhide": ("hidden", False)}  # fmt: skip


def mark_story(database: Database, reader: int, article_id: int, mark: str) -> bool:
    """Set one of the reader's marks (`MARKS`) on a story and every copy of it; False when there is no
    such story. Marks are the reader's own: they change nothing anyone else sees."""
    column, value = MARKS[mark]
    if not 0 < article_id < 2**31:  # past the id column's range: no such story, not a driver error
        return False
    with database.session() as session:
        row = session.get(StoredArticle, article_id)
        if row is None:
            return False
        ids = {article_id}
        if row.cluster_id is not None:
            ids |= set(
                session.scalars(select(StoredArticle.id).where(StoredArticle.cluster_id == row.cluster_id))
            )
        existing = {
            mark_row.article_id: mark_row
            for mark_row in session.scalars(
                select(StoryMark).where(StoryMark.user_id == reader, StoryMark.article_id.in_(ids))
            )
        }
        now = utcnow()
        for copy_id in sorted(ids):
            mark_row = existing.get(copy_id)
            if mark_row is None:
                mark_row = StoryMark(
                    user_id=reader, article_id=copy_id, read=False, hidden=False, starred=False
                )
                session.add(mark_row)
            setattr(mark_row, column, value)
            mark_row.changed_at = now
    return True
