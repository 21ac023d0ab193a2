"""backfill: matches of seed texts; the 'unchecked' verdict of stories dedup never compared

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("matches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seed_id", sa.Integer(), nullable=True))
        batch_op.alter_column("article_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(
            batch_op.f("fk_matches_seed_id_seed_documents"),
            "seed_documents",
            ["seed_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_unique_constraint(batch_op.f("uq_matches_seed_id_watch"), ["seed_id", "watch"])
        batch_op.create_check_constraint(
            batch_op.f("ck_matches_one_document"), "(article_id IS NULL) <> (seed_id IS NULL)"
        )
        batch_op.create_index(batch_op.f("ix_matches_seed_id"), ["seed_id"], unique=False)
    # Stories stored before this revision without a dedup check carry 'new' and no cluster.
    op.execute("UPDATE articles SET verdict = 'unchecked' WHERE verdict = 'new' AND cluster_id IS NULL")


def downgrade() -> None:
    op.execute("UPDATE articles SET verdict = 'new' WHERE verdict = 'unchecked'")
    op.execute("DELETE FROM matches WHERE seed_id IS NOT NULL")
    with op.batch_alter_table("matches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_matches_seed_id"))
        batch_op.drop_constraint(batch_op.f("ck_matches_one_document"), type_="check")
        batch_op.drop_constraint(batch_op.f("uq_matches_seed_id_watch"), type_="unique")
        batch_op.drop_constraint(batch_op.f("fk_matches_seed_id_seed_documents"), type_="foreignkey")
        batch_op.alter_column("article_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("seed_id")
