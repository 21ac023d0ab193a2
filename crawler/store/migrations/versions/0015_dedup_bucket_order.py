"""dedup: the band lookup index ends with the signature id, so a key's newest rows are read first

Revision ID: 0015
Revises: 0010
Create Date: 2026-12-05 11:10:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A probe reads at most a few hundred rows of a key, the newest first: with the signature id in the
    # index it stops there instead of sorting every row of a bucket a template story fills daily.
    with op.batch_alter_table("near_duplicate_bands", schema=None) as batch_op:
        batch_op.drop_index("ix_near_duplicate_bands_lookup")
        batch_op.create_index("ix_near_duplicate_bands_lookup", ["band", "bucket", "signature_id"])


def downgrade() -> None:
    with op.batch_alter_table("near_duplicate_bands", schema=None) as batch_op:
        batch_op.drop_index("ix_near_duplicate_bands_lookup")
        batch_op.create_index("ix_near_duplicate_bands_lookup", ["band", "bucket"])
