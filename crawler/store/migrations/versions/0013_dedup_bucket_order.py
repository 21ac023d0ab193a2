"""dedup: the band lookup index ends with the signature id, so a probe reads its matches from the index

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 11:10:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A check probes about 60 keys; with the signature id in the index, PostgreSQL answers each from the
    # index alone (an index-only scan) instead of visiting the table for every row of a bucket.
    with op.batch_alter_table("near_duplicate_bands", schema=None) as batch_op:
        batch_op.drop_index("ix_near_duplicate_bands_lookup")
        batch_op.create_index("ix_near_duplicate_bands_lookup", ["band", "bucket", "signature_id"])


def downgrade() -> None:
    with op.batch_alter_table("near_duplicate_bands", schema=None) as batch_op:
        batch_op.drop_index("ix_near_duplicate_bands_lookup")
        batch_op.create_index("ix_near_duplicate_bands_lookup", ["band", "bucket"])
