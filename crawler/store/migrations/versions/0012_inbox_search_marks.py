"""inbox: full-text search over stories' title and body (FTS5 / tsvector, backfilled), each user's
read, hidden and starred marks, users who can be deactivated, the archived HTML of stories, and
an index of each source's stories by time

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-05 10:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from crawler.store import search

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "story_marks",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("read", sa.Boolean(), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("starred", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_story_marks_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_story_marks_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "article_id", name=op.f("pk_story_marks")),
    )
    with op.batch_alter_table("story_marks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_story_marks_article_id"), ["article_id"])
    op.create_table(
        "archived_pages",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("html", sa.LargeBinary(), nullable=False),
        sa.Column("pages", sa.SmallInteger(), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_archived_pages_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_archived_pages")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("active", sa.Boolean(), server_default="1", nullable=False))
    op.create_index(
        "ix_articles_source_story_time",
        "articles",
        ["source_id", sa.text("coalesce(published_at, first_seen)"), "id"],
    )
    connection = op.get_bind()
    search.create(connection)
    search.backfill(connection)


def downgrade() -> None:
    op.drop_index("ix_articles_source_story_time", table_name="articles")
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        op.execute(f"DROP TRIGGER {search.SEARCH_TABLE}_delete")
    op.execute(f"DROP TABLE {search.SEARCH_TABLE}")
    op.drop_table("story_marks")
    op.drop_table("archived_pages")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("active")
