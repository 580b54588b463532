"""Cross-service reconciliation runs (`ledger reconcile`): each run's result, so the API can export
the latest as Prometheus gauges and answer for it, whichever process ran it.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "service_reconciliation_runs",
        sa.Column("run_id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_by", sa.Text, nullable=False),
        sa.Column("error", sa.Text),  # a source could not be read: no comparison was made
        sa.Column("difference_count", sa.Integer, nullable=False),
        sa.Column("counts", JSONB, nullable=False),  # check -> differences
        sa.Column("compared", JSONB, nullable=False),  # source -> items compared
        sa.Column("differences", JSONB, nullable=False),
        sa.Column("information", JSONB, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("service_reconciliation_runs")
