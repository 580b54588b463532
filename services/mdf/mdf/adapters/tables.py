"""The mdf service's tables (DDL lives in migrations/; this mirrors it for queries)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, DateTime, Identity, Integer, MetaData, Numeric, Table, Text, func
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()
MONEY = Numeric(20, 4)


def _updated() -> Column[object]:
    return Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now())


periods = Table(
    "mdf_periods",
    metadata,
    Column("period", Text, primary_key=True),
    Column("status", Text, nullable=False, server_default="open"),
    Column("closed_on", Date),
    Column("closed_as_of", Date),
    _updated(),
)

program_budgets = Table(
    "program_budgets",
    metadata,
    Column("period", Text, primary_key=True),
    Column("currency", Text, primary_key=True),
    Column("amount", MONEY, nullable=False),
    Column("allocated", MONEY, nullable=False),
    _updated(),
)

funds = Table(
    "funds",
    metadata,
    Column("partner_id", Text, primary_key=True),
    Column("period", Text, primary_key=True),
    Column("currency", Text, primary_key=True),
    Column("allocated", MONEY, nullable=False),
    Column("accrued", MONEY, nullable=False),
    Column("reserved", MONEY, nullable=False),
    Column("claimed", MONEY, nullable=False),
    Column("disbursed", MONEY, nullable=False),
    Column("expired", MONEY, nullable=False),
    _updated(),
)

allocations = Table(
    "allocations",
    metadata,
    Column("allocation_id", Text, primary_key=True),
    Column("seq", BigInteger, Identity(), nullable=False),
    Column("partner_id", Text, nullable=False),
    Column("period", Text, nullable=False),
    Column("currency", Text, nullable=False),
    Column("amount", MONEY, nullable=False),
    Column("allocated_on", Date, nullable=False),
    Column("allocated_by", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

accruals = Table(
    "accruals",
    metadata,
    Column("entry_id", Text, primary_key=True),
    Column("event_id", Text, nullable=False),
    Column("partner_id", Text, nullable=False),
    Column("period", Text, nullable=False),
    Column("currency", Text, nullable=False),
    Column("amount", MONEY, nullable=False),
    Column("rate", Text, nullable=False),
    Column("deal_id", Text, nullable=False),
    Column("rule_version", Integer, nullable=False),
    Column("accrued_on", Date, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

accrual_clawbacks = Table(
    "accrual_clawbacks",
    metadata,
    Column("reversal_entry_id", Text, primary_key=True),
    Column("event_id", Text, nullable=False),
    Column("reverses", Text, nullable=False),
    Column("partner_id", Text, nullable=False),
    Column("period", Text, nullable=False),
    Column("currency", Text, nullable=False),
    Column("deal_id", Text, nullable=False),
    Column("requested", MONEY, nullable=False),
    Column("taken", MONEY, nullable=False),
    Column("unrecovered", MONEY, nullable=False),
    Column("clawed_on", Date, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

partner_tiers = Table(
    "partner_tiers",
    metadata,
    Column("partner_id", Text, primary_key=True),
    Column("tier", Text, nullable=False),
    Column("program_id", Text, nullable=False),
    Column("effective_at", Date, nullable=False),
    Column("rule_version", Integer, nullable=False),
    _updated(),
)

requests = Table(
    "mdf_requests",
    metadata,
    Column("request_id", Text, primary_key=True),
    Column("seq", BigInteger, Identity(), nullable=False),
    Column("partner_id", Text, nullable=False),
    Column("period", Text, nullable=False),
    Column("currency", Text, nullable=False),
    Column("activity_type", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("planned_cost", MONEY, nullable=False),
    Column("requested_amount", MONEY, nullable=False),
    Column("partner_share", Numeric(9, 4), nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("expected", JSONB, nullable=False),
    Column("milestones", JSONB, nullable=False),
    Column("submitted_on", Date, nullable=False),
    Column("submitted_by", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("approved_amount", MONEY),
    Column("approved_on", Date),
    Column("approved_by", Text),
    Column("claim_deadline", Date),
    Column("reserved", MONEY, nullable=False),
    Column("disbursed", MONEY, nullable=False),
    Column("claimed_amount", MONEY),
    Column("open_claim_id", Text),
    Column("status_reason", Text),
    Column("status_changed_on", Date),
    _updated(),
)

claims = Table(
    "mdf_claims",
    metadata,
    Column("claim_id", Text, primary_key=True),
    Column("seq", BigInteger, Identity(), nullable=False),
    Column("request_id", Text, nullable=False),
    Column("partner_id", Text, nullable=False),
    Column("period", Text, nullable=False),
    Column("currency", Text, nullable=False),
    Column("claimed_amount", MONEY, nullable=False),
    Column("actual_cost", MONEY, nullable=False),
    Column("invoice_ref", Text, nullable=False),
    Column("proof", JSONB, nullable=False),
    Column("results", JSONB, nullable=False),
    Column("submitted_on", Date, nullable=False),
    Column("submitted_by", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("approved_amount", MONEY),
    Column("decided_on", Date),
    Column("decided_by", Text),
    Column("decision_reason", Text),
    _updated(),
)

disbursements = Table(
    "disbursements",
    metadata,
    Column("disbursement_id", Text, primary_key=True),
    Column("seq", BigInteger, Identity(), nullable=False),
    Column("request_id", Text, nullable=False),
    Column("claim_id", Text),
    Column("partner_id", Text, nullable=False),
    Column("period", Text, nullable=False),
    Column("currency", Text, nullable=False),
    Column("milestone", Text, nullable=False),
    Column("trigger", Text, nullable=False),
    Column("amount", MONEY, nullable=False),
    Column("disbursed_on", Date, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

expiries = Table(
    "expiries",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("partner_id", Text, nullable=False),
    Column("period", Text, nullable=False),
    Column("currency", Text, nullable=False),
    Column("amount", MONEY, nullable=False),
    Column("reason", Text, nullable=False),
    Column("expired_on", Date, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

campaign_results = Table(
    "campaign_results",
    metadata,
    Column("result_id", Text, primary_key=True),
    Column("seq", BigInteger, Identity(), nullable=False),
    Column("request_id", Text, nullable=False),
    Column("claim_id", Text),
    Column("partner_id", Text, nullable=False),
    Column("period", Text, nullable=False),
    Column("activity_type", Text, nullable=False),
    Column("currency", Text, nullable=False),
    Column("spend", MONEY, nullable=False),
    Column("registrations", Integer),
    Column("attendees", Integer),
    Column("leads", Integer),
    Column("opportunities_influenced", Integer),
    Column("reported_on", Date, nullable=False),
    Column("reported_by", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
