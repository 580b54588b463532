"""The money read models' deal events indexed by deal: the anomaly queue finds a page of flagged deals'
held postings through them (a scan of every deal event before, 250 ms p95 at a million events).

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_money_deal_events_deal_id", "money_deal_events", ["deal_id"])


def downgrade() -> None:
    op.drop_index("ix_money_deal_events_deal_id", table_name="money_deal_events")
