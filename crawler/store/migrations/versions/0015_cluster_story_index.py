"""articles: a cluster's copies are read from one partial index on (cluster_id, first_seen, id)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 14:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Stories without a cluster (no text to compare) are left out: on SQLite, ANALYZE counted them as one
    # cluster value shared by most of the table, and the planner then walked the whole first_seen index
    # to find a cluster's few copies (20 ms an alert at 100k stories, growing with the archive).
    clustered = sa.text("cluster_id IS NOT NULL")
    op.create_index(
        "ix_articles_cluster_story",
        "articles",
        ["cluster_id", "first_seen", "id"],
        sqlite_where=clustered,
        postgresql_where=clustered,
    )
    op.drop_index("ix_articles_cluster_id", table_name="articles")


def downgrade() -> None:
    op.create_index("ix_articles_cluster_id", "articles", ["cluster_id"])
    op.drop_index("ix_articles_cluster_story", table_name="articles")
