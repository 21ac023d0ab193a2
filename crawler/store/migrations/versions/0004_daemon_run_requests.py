"""daemon: run requests and the scheduler's job store

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-23 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "run_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run_requests")),
    )
    with op.batch_alter_table("run_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_run_requests_source"), ["source"], unique=False)
    # APScheduler's SQLAlchemyJobStore table (its exact columns), created here so that
    # `pantau status` can read next run times before a daemon ever started.
    op.create_table(
        "scheduler_jobs",
        sa.Column("id", sa.Unicode(length=191), nullable=False),
        sa.Column("next_run_time", sa.Float(precision=25), nullable=True),
        sa.Column("job_state", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduler_jobs")),
    )
    with op.batch_alter_table("scheduler_jobs", schema=None) as batch_op:
        batch_op.create_index("ix_scheduler_jobs_next_run_time", ["next_run_time"], unique=False)


def downgrade() -> None:
    op.drop_table("scheduler_jobs")
    op.drop_table("run_requests")
