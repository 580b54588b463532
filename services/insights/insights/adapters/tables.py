"""The insights read models (DDL lives in migrations/; this mirrors it for queries and the projection).

Money amounts are NUMERIC with their currency beside them, never floats.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, DateTime, Integer, MetaData, Numeric, SmallInteger, Table, Text

metadata = MetaData()
MONEY = Numeric(20, 4)

partners = Table(
    "insights_partners",
    metadata,
    Column("partner_id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("partner_type", Text, nullable=False),
    Column("program_id", Text, nullable=False),
    Column("region", Text, nullable=False),
    Column("vertical", Text),
    Column("enrolled_on", Date, nullable=False),
    Column("tier", Text),
    Column("tier_since", Date),
    Column("deactivated_on", Date),
)

deals = Table(
    "insights_deals",
    metadata,
    Column("deal_id", Text, primary_key=True),
    Column("partner_id", Text, nullable=False),
    Column("currency", Text, nullable=False),
    Column("expected_amount", MONEY, nullable=False),
    Column("expected_close", Date, nullable=False),
    Column("registered_on", Date, nullable=False),
    Column("stage", Text, nullable=False),
    Column("won_amount", MONEY),
    Column("closed_on", Date),
)

deal_stages = Table(
    "insights_deal_stages",
    metadata,
    Column("deal_id", Text, primary_key=True),
    Column("stage", Text, primary_key=True),
    Column("reached_on", Date, nullable=False),
)

mdf_requests = Table(
    "insights_mdf_requests",
    metadata,
    Column("request_id", Text, primary_key=True),
    Column("partner_id", Text, nullable=False),
    Column("activity_type", Text, nullable=False),
    Column("currency", Text, nullable=False),
    Column("requested_amount", MONEY, nullable=False),
    Column("approved_amount", MONEY),
    Column("status", Text, nullable=False),
    Column("submitted_on", Date, nullable=False),
)

mdf_spend = Table(
    "insights_mdf_spend",
    metadata,
    Column("disbursement_id", Text, primary_key=True),
    Column("partner_id", Text, nullable=False),
    Column("request_id", Text, nullable=False),
    Column("currency", Text, nullable=False),
    Column("amount", MONEY, nullable=False),
    Column("disbursed_on", Date, nullable=False),
)

mdf_results = Table(
    "insights_mdf_results",
    metadata,
    Column("request_id", Text, primary_key=True),
    Column("partner_id", Text, nullable=False),
    Column("activity_type", Text, nullable=False),
    Column("currency", Text, nullable=False),
    Column("spend", MONEY, nullable=False),
    Column("registrations", Integer, nullable=False),
    Column("attendees", Integer, nullable=False),
    Column("leads", Integer, nullable=False),
    Column("opportunities_influenced", Integer, nullable=False),
    Column("reported_on", Date, nullable=False),
)

engagements = Table(
    "insights_engagements",
    metadata,
    Column("engagement_id", Text, primary_key=True),
    Column("partner_id", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("occurred_on", Date, nullable=False),
)

reward_programs = Table(
    "insights_reward_programs",
    metadata,
    Column("partner_id", Text, primary_key=True),
    Column("program_id", Text, primary_key=True),
    Column("first_posted_at", DateTime(timezone=True), nullable=False),
)

EVERY_PARTNER = ""
"""The partner id of the whole book's monthly sums (never a partner's: partner ids are not empty)."""

monthly = Table(
    "insights_monthly",
    metadata,
    Column("partner_id", Text, primary_key=True),
    Column("currency", Text, primary_key=True),
    Column("month", Date, primary_key=True),
    Column("metric", Text, primary_key=True),
    Column("key", Text, primary_key=True),
    Column("value", Numeric(24, 4), nullable=False),
)

# How many batches changed the read models, counted on a few rows (a batch adds one to a random row,
# so parallel consumers seldom wait for each other): the sum is the read models' version.
read_model_changes = Table(
    "insights_read_model_changes",
    metadata,
    Column("slot", SmallInteger, primary_key=True),
    Column("changes", BigInteger, nullable=False),
)
CHANGE_SLOTS = 16

READ_MODELS = (
    partners,
    deals,
    deal_stages,
    mdf_requests,
    mdf_spend,
    mdf_results,
    engagements,
    reward_programs,
    monthly,
)
"""Every table the projection writes (what a rebuild empties), in dependency-free order."""
