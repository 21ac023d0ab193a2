"""articles: editors, organisation byline, modified time, section, date-only flag and field sources

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 08:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("editors", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("source_org", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("published_date_only", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("modified_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("section", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("field_sources", sa.JSON(), nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        for column in ("field_sources", "section", "modified_at", "published_date_only", "source_org"):
            batch_op.drop_column(column)
        batch_op.drop_column("editors")
