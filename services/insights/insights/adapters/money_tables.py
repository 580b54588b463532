"""The read models of ROI, drift alerts, the anomaly queue and payouts (DDL in migrations/
``0004_money_read_models.py``; this mirrors it for queries). Amounts are NUMERIC beside their
currency, never floats."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, DateTime, Identity, Integer, MetaData, Numeric, Table, Text

metadata = MetaData()
MONEY = Numeric(20, 4)

deal_events = Table(  # which deal an event id belongs to: how a ledger entry's caused_by finds its deal
    "money_deal_events",
    metadata,
    Column("event_id", Text, primary_key=True),
    Column("deal_id", Text, nullable=False, index=True),
    Column("partner_id", Text, nullable=False),
    Column("event_type", Text, nullable=False),
)

won_deals = Table(
    "money_won_deals",
    metadata,
    Column("deal_id", Text, primary_key=True),
    Column("partner_id", Text, nullable=False),
    Column("product_line", Text, nullable=False),
    Column("currency", Text, nullable=False),
    Column("amount", MONEY, nullable=False),
    Column("reversed_amount", MONEY, nullable=False),
    Column("closed_on", Date, nullable=False),
    Column("quarter", Text, nullable=False),
    Column("rejected", Integer, nullable=False),  # 1 once a flag on it was confirmed
)

entry_postings = Table(  # the expense and held postings of ledger.entry_posted
    "money_entry_postings",
    metadata,
    Column("entry_id", Text, primary_key=True),
    Column("line", Integer, primary_key=True),
    Column("partner_id", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("rule_id", Text, nullable=False),
    Column("caused_by", Text, nullable=False, index=True),
    Column("effective_at", DateTime(timezone=True), nullable=False),
    Column("quarter", Text, nullable=False),
    Column("account", Text, nullable=False),
    Column("currency", Text, nullable=False),
    Column("amount", MONEY, nullable=False),
)

flags = Table(
    "money_flags",
    metadata,
    Column("deal_id", Text, primary_key=True),
    Column("reason", Text, primary_key=True),
    Column("partner_id", Text, nullable=False),
    Column("detail", Text, nullable=False),
    Column("flagged_on", Date, nullable=False),
    Column("status", Text, nullable=False),
    Column("decided_by", Text),
    Column("decided_on", Date),
    Column("note", Text),
)

alerts = Table(
    "money_alerts",
    metadata,
    Column("seq", BigInteger, Identity(), nullable=False, unique=True),
    Column("alert_id", Text, primary_key=True),
    Column("threshold_id", Text, nullable=False),
    Column("thresholds_version", Integer, nullable=False),
    Column("indicator", Text, nullable=False),
    Column("scope", Text, nullable=False),
    Column("scope_id", Text, nullable=False),
    Column("partner_id", Text),  # the partner of a partner-scope alert (partner tokens see only theirs)
    Column("period", Text, nullable=False),
    Column("rule", Text, nullable=False),
    Column("limit_value", Text, nullable=False),
    Column("value", Text, nullable=False),
    Column("baseline", Text),
    Column("change", Text),
    Column("severity", Text, nullable=False),
    Column("raised_at", DateTime(timezone=True), nullable=False),
    Column("acknowledged_by", Text),
    Column("acknowledged_reason", Text),
    Column("acknowledged_at", DateTime(timezone=True)),
)

payout_lines = Table(
    "money_payout_lines",
    metadata,
    Column("line_id", Text, primary_key=True),
    Column("batch_id", Text, nullable=False, index=True),
    Column("partner_id", Text, nullable=False),
    Column("currency", Text, nullable=False),
    Column("amount", MONEY, nullable=False),
    Column("cutoff", DateTime(timezone=True), nullable=False),
    Column("batched_at", DateTime(timezone=True), nullable=False),
    Column("payee_reference", Text, nullable=False),
    Column("entries_covered", Integer, nullable=False),
    Column("status", Text, nullable=False),  # in_payment | paid | failed
    Column("payment_reference", Text),
    Column("paid_at", DateTime(timezone=True)),
    Column("failure_reason", Text),
    Column("failed_at", DateTime(timezone=True)),
)

MONEY_READ_MODELS = (deal_events, won_deals, entry_postings, flags, alerts, payout_lines)
"""Every money table the consumer fills from events (alerts too: replayed from the insights topic)."""
