"""watches in the database (the YAML file becomes an import/export format), and the revocable
tokens of their feeds (only each token's SHA-256 is kept)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 10:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "watches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("delivery", sa.String(length=10), nullable=False),
        sa.Column("daily_at", sa.String(length=8), nullable=False),
        sa.Column("muted", sa.Boolean(), nullable=False),
        sa.Column("webhook", sa.String(length=2000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watches")),
        sa.UniqueConstraint("name", name=op.f("uq_watches_name")),
    )
    op.create_table(
        "watch_feed_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("watch_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["watch_id"],
            ["watches.id"],
            name=op.f("fk_watch_feed_tokens_watch_id_watches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watch_feed_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_watch_feed_tokens_token_hash")),
    )
    with op.batch_alter_table("watch_feed_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_watch_feed_tokens_watch_id"), ["watch_id"])


def downgrade() -> None:
    op.drop_table("watch_feed_tokens")
    op.drop_table("watches")
