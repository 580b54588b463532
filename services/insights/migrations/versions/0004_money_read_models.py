"""The money read models: deal events (to find an entry's deal), won deals, the expense and held
postings of ledger entries (ROI, held amounts), anomaly flags, drift alerts and payout lines.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(20, 4)


def upgrade() -> None:
    op.create_table(
        "money_deal_events",
        sa.Column("event_id", sa.Text, primary_key=True),
        sa.Column("deal_id", sa.Text, nullable=False),
        sa.Column("partner_id", sa.Text, nullable=False),
        sa.Column("event_type", sa.Text, nullable=False),
    )
    op.create_table(
        "money_won_deals",
        sa.Column("deal_id", sa.Text, primary_key=True),
        sa.Column("partner_id", sa.Text, nullable=False),
        sa.Column("product_line", sa.Text, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("reversed_amount", MONEY, nullable=False),
        sa.Column("closed_on", sa.Date, nullable=False),
        sa.Column("quarter", sa.Text, nullable=False),
        sa.Column("rejected", sa.Integer, nullable=False),
    )
    op.create_table(
        "money_entry_postings",
        sa.Column("entry_id", sa.Text, primary_key=True),
        sa.Column("line", sa.Integer, primary_key=True),
        sa.Column("partner_id", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("rule_id", sa.Text, nullable=False),
        sa.Column("caused_by", sa.Text, nullable=False),
        sa.Column("effective_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("quarter", sa.Text, nullable=False),
        sa.Column("account", sa.Text, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("amount", MONEY, nullable=False),
    )
    op.create_index("ix_money_entry_postings_caused_by", "money_entry_postings", ["caused_by"])
    op.create_table(
        "money_flags",
        sa.Column("deal_id", sa.Text, primary_key=True),
        sa.Column("reason", sa.Text, primary_key=True),
        sa.Column("partner_id", sa.Text, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("flagged_on", sa.Date, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("decided_by", sa.Text),
        sa.Column("decided_on", sa.Date),
        sa.Column("note", sa.Text),
    )
    op.create_table(
        "money_alerts",
        sa.Column("seq", sa.BigInteger, sa.Identity(), nullable=False, unique=True),
        sa.Column("alert_id", sa.Text, primary_key=True),
        sa.Column("threshold_id", sa.Text, nullable=False),
        sa.Column("thresholds_version", sa.Integer, nullable=False),
        sa.Column("indicator", sa.Text, nullable=False),
        sa.Column("scope", sa.Text, nullable=False),
        sa.Column("scope_id", sa.Text, nullable=False),
        sa.Column("partner_id", sa.Text),
        sa.Column("period", sa.Text, nullable=False),
        sa.Column("rule", sa.Text, nullable=False),
        sa.Column("limit_value", sa.Text, nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("baseline", sa.Text),
        sa.Column("change", sa.Text),
        sa.Column("severity", sa.Text, nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_by", sa.Text),
        sa.Column("acknowledged_reason", sa.Text),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "money_payout_lines",
        sa.Column("line_id", sa.Text, primary_key=True),
        sa.Column("batch_id", sa.Text, nullable=False),
        sa.Column("partner_id", sa.Text, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("cutoff", sa.DateTime(timezone=True), nullable=False),
        sa.Column("batched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payee_reference", sa.Text, nullable=False),
        sa.Column("entries_covered", sa.Integer, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("payment_reference", sa.Text),
        sa.Column("paid_at", sa.DateTime(timezone=True)),
        sa.Column("failure_reason", sa.Text),
        sa.Column("failed_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_money_payout_lines_batch_id", "money_payout_lines", ["batch_id"])


def downgrade() -> None:
    for table in (
        "money_payout_lines",
        "money_alerts",
        "money_flags",
        "money_entry_postings",
        "money_won_deals",
        "money_deal_events",
    ):
        op.drop_table(table)
