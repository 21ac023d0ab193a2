"""daemon: Pantau's own record of each source's next run replaces APScheduler's job table

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08 09:00:00.000000
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

JOB_PREFIX = "crawl:"


def upgrade() -> None:
    scheduled_runs = op.create_table(
        "scheduled_runs",
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("trigger", sa.Text(), nullable=True),
        sa.Column("next_run_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source", name=op.f("pk_scheduled_runs")),
    )
    # A daemon upgraded from the job store keeps each source's next run (its trigger is unknown: NULL).
    jobs = sa.table("scheduler_jobs", sa.column("id", sa.Unicode()), sa.column("next_run_time", sa.Float()))
    rows = op.get_bind().execute(sa.select(jobs.c.id, jobs.c.next_run_time)).all()
    op.bulk_insert(
        scheduled_runs,
        [
            {
                "source": job_id.removeprefix(JOB_PREFIX),
                "trigger": None,
                "next_run_at": datetime.fromtimestamp(timestamp, UTC),
            }
            for job_id, timestamp in rows
            if job_id.startswith(JOB_PREFIX) and timestamp is not None
        ],
    )
    op.drop_table("scheduler_jobs")


def downgrade() -> None:
    op.create_table(
        "scheduler_jobs",
        sa.Column("id", sa.Unicode(length=191), nullable=False),
        sa.Column("next_run_time", sa.Float(precision=25), nullable=True),
        sa.Column("job_state", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduler_jobs")),
    )
    with op.batch_alter_table("scheduler_jobs", schema=None) as batch_op:
        batch_op.create_index("ix_scheduler_jobs_next_run_time", ["next_run_time"], unique=False)
    op.drop_table("scheduled_runs")
