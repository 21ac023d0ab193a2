"""search: SQLite's full-text rows are keyed by story time before id, so a search reads its newest
stories first instead of every story holding a common word (PostgreSQL is unchanged)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 13:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from crawler.store import search

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    search.rebuild(op.get_bind())


def downgrade() -> None:
    """Back to rows keyed by article id, as 0013's code reads them."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    table = search.SEARCH_TABLE
    op.execute(f"DROP TRIGGER {table}_delete")
    op.execute(f"DROP TABLE {table}")
    op.execute(search.SQLITE_DDL[0])
    op.execute(
        f"CREATE TRIGGER {table}_delete AFTER DELETE ON articles "
        f"BEGIN DELETE FROM {table} WHERE rowid = old.id; END"
    )
    rows = bind.execute(sa.text("SELECT id, title, body FROM articles")).all()
    if rows:
        bind.execute(
            sa.text(f"INSERT INTO {table} (rowid, words) VALUES (:id, :words)"),
            [{"id": row.id, "words": search.story_words(row.title or "", row.body)} for row in rows],
        )
