"""dedup: the judge's profile beside each signature, and follow-up links between stories

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rows indexed before keep no profile: the judge weighs them by MinHash containment, as before.
    with op.batch_alter_table("near_duplicate_signatures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("profile", sa.LargeBinary(), nullable=True))
    op.create_table(
        "story_follows",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("earlier_article_id", sa.Integer(), nullable=True),
        sa.Column("earlier_seed_id", sa.Integer(), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(earlier_article_id IS NULL) <> (earlier_seed_id IS NULL)",
            name=op.f("ck_story_follows_one_earlier_document"),
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_story_follows_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["earlier_article_id"],
            ["articles.id"],
            name=op.f("fk_story_follows_earlier_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["earlier_seed_id"],
            ["seed_documents.id"],
            name=op.f("fk_story_follows_earlier_seed_id_seed_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_story_follows")),
    )
    with op.batch_alter_table("story_follows", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_story_follows_earlier_article_id"), ["earlier_article_id"])
        batch_op.create_index(batch_op.f("ix_story_follows_earlier_seed_id"), ["earlier_seed_id"])


def downgrade() -> None:
    op.drop_table("story_follows")
    with op.batch_alter_table("near_duplicate_signatures", schema=None) as batch_op:
        batch_op.drop_column("profile")
