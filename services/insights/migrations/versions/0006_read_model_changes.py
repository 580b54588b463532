"""The read models' version: a few counter rows a consumed batch adds one to (the sum is the version),
so whole-program reads (ROI, cohorts) are computed once per change instead of once per request.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SLOTS = 16


def upgrade() -> None:
    table = op.create_table(
        "insights_read_model_changes",
        sa.Column("slot", sa.SmallInteger, primary_key=True),
        sa.Column("changes", sa.BigInteger, nullable=False),
    )
    op.bulk_insert(table, [{"slot": slot, "changes": 0} for slot in range(SLOTS)])


def downgrade() -> None:
    op.drop_table("insights_read_model_changes")
