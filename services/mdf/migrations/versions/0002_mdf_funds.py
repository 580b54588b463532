"""Periods, program budgets, funds, allocations, accruals, tiers, requests, claims, disbursements,
expiries and campaign results.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(20, 4)


def _money(name: str, **kwargs) -> sa.Column:
    return sa.Column(name, MONEY, nullable=False, server_default="0", **kwargs)


def _stamp() -> sa.Column:
    return sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())


def upgrade() -> None:
    op.create_table(
        "mdf_periods",
        sa.Column("period", sa.Text, primary_key=True),
        sa.Column("status", sa.Text, nullable=False, server_default="open"),
        sa.Column("closed_on", sa.Date),
        sa.Column("closed_as_of", sa.Date),
        _stamp(),
        sa.CheckConstraint("status IN ('open', 'closed')", name="mdf_periods_status"),
    )
    op.create_table(
        "program_budgets",
        sa.Column("period", sa.Text, sa.ForeignKey("mdf_periods.period"), nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        _money("amount"),
        _money("allocated"),
        _stamp(),
        sa.PrimaryKeyConstraint("period", "currency"),
        sa.CheckConstraint("allocated >= 0 AND allocated <= amount", name="program_budgets_never_over_allocated"),
    )
    op.create_table(
        "funds",
        sa.Column("partner_id", sa.Text, nullable=False),
        sa.Column("period", sa.Text, sa.ForeignKey("mdf_periods.period"), nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        _money("allocated"),
        _money("accrued"),
        _money("reserved"),
        _money("claimed"),
        _money("disbursed"),
        _money("expired"),
        _stamp(),
        sa.PrimaryKeyConstraint("partner_id", "period", "currency"),
        sa.CheckConstraint(
            "allocated >= 0 AND accrued >= 0 AND reserved >= 0 AND claimed >= 0 AND disbursed >= 0 AND expired >= 0",
            name="funds_non_negative",
        ),
        # The last line of defence behind the row lock: a fund never commits more than it holds.
        sa.CheckConstraint(
            "allocated + accrued - reserved - disbursed - expired >= 0", name="funds_never_overcommitted"
        ),
    )
    op.create_index("funds_by_period", "funds", ["period", "partner_id", "currency"])
    op.create_table(
        "allocations",
        sa.Column("allocation_id", sa.Text, primary_key=True),
        sa.Column("seq", sa.BigInteger, sa.Identity(), nullable=False, unique=True),
        sa.Column("partner_id", sa.Text, nullable=False),
        sa.Column("period", sa.Text, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("allocated_on", sa.Date, nullable=False),
        sa.Column("allocated_by", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("amount > 0", name="allocations_positive"),
    )
    op.create_index("allocations_by_partner", "allocations", ["partner_id", "seq"])
    op.create_table(
        "accruals",
        sa.Column("entry_id", sa.Text, primary_key=True),
        sa.Column("event_id", sa.Text, nullable=False),
        sa.Column("partner_id", sa.Text, nullable=False),
        sa.Column("period", sa.Text, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("rate", sa.Text, nullable=False),
        sa.Column("deal_id", sa.Text, nullable=False),
        sa.Column("rule_version", sa.Integer, nullable=False),
        sa.Column("accrued_on", sa.Date, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("amount > 0", name="accruals_positive"),
    )
    op.create_index("accruals_by_partner", "accruals", ["partner_id", "period"])
    op.create_table(
        "partner_tiers",
        sa.Column("partner_id", sa.Text, primary_key=True),
        sa.Column("tier", sa.Text, nullable=False),
        sa.Column("program_id", sa.Text, nullable=False),
        sa.Column("effective_at", sa.Date, nullable=False),
        sa.Column("rule_version", sa.Integer, nullable=False),
        _stamp(),
    )
    op.create_table(
        "mdf_requests",
        sa.Column("request_id", sa.Text, primary_key=True),
        sa.Column("seq", sa.BigInteger, sa.Identity(), nullable=False, unique=True),
        sa.Column("partner_id", sa.Text, nullable=False),
        sa.Column("period", sa.Text, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("activity_type", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("planned_cost", MONEY, nullable=False),
        sa.Column("requested_amount", MONEY, nullable=False),
        sa.Column("partner_share", sa.Numeric(9, 4), nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
        sa.Column("expected", JSONB, nullable=False),
        sa.Column("milestones", JSONB, nullable=False),
        sa.Column("submitted_on", sa.Date, nullable=False),
        sa.Column("submitted_by", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("approved_amount", MONEY),
        sa.Column("approved_on", sa.Date),
        sa.Column("approved_by", sa.Text),
        sa.Column("claim_deadline", sa.Date),
        _money("reserved"),
        _money("disbursed"),
        sa.Column("claimed_amount", MONEY),
        sa.Column("open_claim_id", sa.Text),
        sa.Column("status_reason", sa.Text),
        sa.Column("status_changed_on", sa.Date),
        _stamp(),
        sa.CheckConstraint("reserved >= 0 AND disbursed >= 0", name="mdf_requests_non_negative"),
        sa.CheckConstraint(
            "approved_amount IS NULL OR disbursed <= approved_amount", name="mdf_requests_never_overpaid"
        ),
    )
    op.create_index("mdf_requests_by_partner", "mdf_requests", ["partner_id", "seq"])
    op.create_index("mdf_requests_by_period", "mdf_requests", ["period", "status"])
    op.create_table(
        "mdf_claims",
        sa.Column("claim_id", sa.Text, primary_key=True),
        sa.Column("seq", sa.BigInteger, sa.Identity(), nullable=False, unique=True),
        sa.Column("request_id", sa.Text, sa.ForeignKey("mdf_requests.request_id"), nullable=False),
        sa.Column("partner_id", sa.Text, nullable=False),
        sa.Column("period", sa.Text, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("claimed_amount", MONEY, nullable=False),
        sa.Column("actual_cost", MONEY, nullable=False),
        sa.Column("invoice_ref", sa.Text, nullable=False),
        sa.Column("proof", JSONB, nullable=False),
        sa.Column("results", JSONB, nullable=False),
        sa.Column("submitted_on", sa.Date, nullable=False),
        sa.Column("submitted_by", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("approved_amount", MONEY),
        sa.Column("decided_on", sa.Date),
        sa.Column("decided_by", sa.Text),
        sa.Column("decision_reason", sa.Text),
        _stamp(),
        sa.CheckConstraint("approved_amount IS NULL OR approved_amount <= claimed_amount", name="mdf_claims_capped"),
    )
    op.create_index("mdf_claims_by_partner", "mdf_claims", ["partner_id", "seq"])
    op.create_index("mdf_claims_by_request", "mdf_claims", ["request_id"])
    op.create_index(
        "mdf_claims_one_open_per_request", "mdf_claims", ["request_id"], unique=True,
        postgresql_where=sa.text("status IN ('submitted', 'approved')"),
    )
    op.create_table(
        "disbursements",
        sa.Column("disbursement_id", sa.Text, primary_key=True),
        sa.Column("seq", sa.BigInteger, sa.Identity(), nullable=False, unique=True),
        sa.Column("request_id", sa.Text, sa.ForeignKey("mdf_requests.request_id"), nullable=False),
        sa.Column("claim_id", sa.Text),
        sa.Column("partner_id", sa.Text, nullable=False),
        sa.Column("period", sa.Text, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("milestone", sa.Text, nullable=False),
        sa.Column("trigger", sa.Text, nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("disbursed_on", sa.Date, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("amount > 0", name="disbursements_positive"),
    )
    op.create_index("disbursements_by_request", "disbursements", ["request_id"])
    op.create_table(
        "expiries",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("partner_id", sa.Text, nullable=False),
        sa.Column("period", sa.Text, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("expired_on", sa.Date, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("amount > 0", name="expiries_positive"),
    )
    op.create_index("expiries_by_partner", "expiries", ["partner_id", "period"])
    op.create_table(
        "campaign_results",
        sa.Column("result_id", sa.Text, primary_key=True),
        sa.Column("seq", sa.BigInteger, sa.Identity(), nullable=False, unique=True),
        sa.Column("request_id", sa.Text, sa.ForeignKey("mdf_requests.request_id"), nullable=False),
        sa.Column("claim_id", sa.Text),
        sa.Column("partner_id", sa.Text, nullable=False),
        sa.Column("period", sa.Text, nullable=False),
        sa.Column("activity_type", sa.Text, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("spend", MONEY, nullable=False),
        sa.Column("registrations", sa.Integer),
        sa.Column("attendees", sa.Integer),
        sa.Column("leads", sa.Integer),
        sa.Column("opportunities_influenced", sa.Integer),
        sa.Column("reported_on", sa.Date, nullable=False),
        sa.Column("reported_by", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("campaign_results_by_request", "campaign_results", ["request_id", "seq"])


def downgrade() -> None:
    for table in (
        "campaign_results", "expiries", "disbursements", "mdf_claims", "mdf_requests", "partner_tiers", "accruals",
        "allocations", "funds", "program_budgets", "mdf_periods",
    ):
        op.drop_table(table)
