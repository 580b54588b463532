"""Monthly sums per partner and currency, kept up to date by the projection: every indicator is
computed from them (a few hundred rows per query instead of every deal of the scope).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "insights_monthly",
        sa.Column("partner_id", sa.Text, primary_key=True),
        sa.Column("currency", sa.Text, primary_key=True),  # '' for figures without one (engagement)
        sa.Column("month", sa.Date, primary_key=True),  # the month's first day
        sa.Column("metric", sa.Text, primary_key=True),
        sa.Column("key", sa.Text, primary_key=True),  # a stage, a kind, a number of days, or ''
        sa.Column("value", sa.Numeric(24, 4), nullable=False),
    )
    op.create_index("insights_monthly_month", "insights_monthly", ["currency", "month"])


def downgrade() -> None:
    op.drop_table("insights_monthly")
