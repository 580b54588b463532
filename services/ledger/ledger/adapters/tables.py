"""The ledger's tables (DDL lives in migrations/; this mirrors it for queries)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

ledger_partners = Table(
    "ledger_partners",
    metadata,
    Column("partner_id", Text, primary_key=True),
    Column("program_id", Text),
    Column("tier", Text),
    Column("state", JSONB, nullable=False),
)

chain_heads = Table(
    "chain_heads",
    metadata,
    Column("partner_id", Text, nullable=False),
    Column("stream", Text, nullable=False),
    Column("last_sequence", BigInteger, nullable=False),
    Column("head_hash", Text, nullable=False),
    PrimaryKeyConstraint("partner_id", "stream"),
)

ledger_deals = Table(
    "ledger_deals",
    metadata,
    Column("partner_id", Text, nullable=False),
    Column("deal_id", Text, nullable=False),
    Column("state", JSONB, nullable=False),
    PrimaryKeyConstraint("partner_id", "deal_id"),
)

program_versions = Table(
    "program_versions",
    metadata,
    Column("program_id", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("status", Text, nullable=False),
    Column("document", Text, nullable=False),
    Column("rules", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", Text, nullable=False),
    Column("effective_from", Date),
    Column("published_at", DateTime(timezone=True)),
    Column("published_by", Text),
    Column("correction", Boolean, nullable=False),
    Column("reason", Text),
    PrimaryKeyConstraint("program_id", "version"),
)

journal_entries = Table(
    "journal_entries",
    metadata,
    Column("entry_id", Text, primary_key=True),
    Column("partner_id", Text, nullable=False),
    Column("stream", Text, nullable=False),
    Column("sequence", BigInteger, nullable=False),
    Column("kind", Text, nullable=False),
    Column("caused_by", Text, nullable=False),
    Column("deal_id", Text),
    Column("effective_at", DateTime(timezone=True), nullable=False),
    Column("rule_id", Text, nullable=False),
    Column("rule_version", Integer, nullable=False),
    Column("reverses", Text),
    Column("explanation", JSONB, nullable=False),
    Column("prev_hash", Text, nullable=False),
    Column("entry_hash", Text, nullable=False),
    Column("posted_seq", BigInteger, nullable=False),
)

postings = Table(
    "postings",
    metadata,
    Column("entry_id", Text, nullable=False),
    Column("line", Integer, nullable=False),
    Column("partner_id", Text, nullable=False),
    Column("account", Text, nullable=False),
    Column("currency", Text, nullable=False),
    Column("amount", Numeric, nullable=False),
    Column("effective_at", DateTime(timezone=True), nullable=False),
    Column("stream", Text, nullable=False),  # the entry's (denormalised, migration 0011)
    Column("sequence", BigInteger, nullable=False),  # the entry's chain position on its stream
    PrimaryKeyConstraint("entry_id", "line"),
)

balances = Table(
    "balances",
    metadata,
    Column("partner_id", Text, nullable=False),
    Column("account", Text, nullable=False),
    Column("currency", Text, nullable=False),
    Column("balance", Numeric, nullable=False),
    PrimaryKeyConstraint("partner_id", "account", "currency"),
)

payout_batches = Table(
    "payout_batches",
    metadata,
    Column("batch_id", Text, primary_key=True),
    Column("batch_seq", BigInteger, nullable=False),
    Column("currency", Text, nullable=False),
    Column("cutoff", DateTime(timezone=True), nullable=False),
    Column("minimum_amount", Numeric, nullable=False),
    Column("status", Text, nullable=False),
    Column("line_count", Integer, nullable=False),
    Column("total", Numeric, nullable=False),
    Column("content_hash", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", Text, nullable=False),
    Column("settled_at", DateTime(timezone=True)),
)

payout_lines = Table(
    "payout_lines",
    metadata,
    Column("line_id", Text, primary_key=True),
    Column("batch_id", Text, nullable=False),
    Column("partner_id", Text, nullable=False),
    Column("currency", Text, nullable=False),
    Column("amount", Numeric, nullable=False),
    Column("payee_reference", Text, nullable=False),
    Column("entries_covered", Integer, nullable=False),
    Column("coverage_hash", Text, nullable=False),
    Column("cut_entry_id", Text, nullable=False),
    Column("registration_sequence", BigInteger, nullable=False),
    Column("status", Text, nullable=False),
    Column("payment_reference", Text),
    Column("failure_reason", Text),
    Column("acknowledged_at", DateTime(timezone=True)),
    Column("acknowledged_by", Text),
    Column("outcome_entry_id", Text),
)

# What an open or paid line covers: every entry of its partner and stream between the two positions
# with a payable posting in the line's currency (not a payout entry). A failed line's rows are deleted.
payout_coverage_ranges = Table(
    "payout_coverage_ranges",
    metadata,
    Column("line_id", Text, nullable=False),
    Column("partner_id", Text, nullable=False),
    Column("currency", Text, nullable=False),
    Column("stream", Text, nullable=False),
    Column("from_sequence", BigInteger, nullable=False),
    Column("to_sequence", BigInteger, nullable=False),
    PrimaryKeyConstraint("line_id", "stream", "from_sequence"),
)


pilots = Table(
    "pilots",
    metadata,
    Column("pilot_id", Text, primary_key=True),
    Column("base_program_id", Text, nullable=False),
    Column("variant_program_id", Text, nullable=False),
    Column("cohort_tag", Text, nullable=False),
    Column("control_tag", Text, nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date),
    Column("description", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", Text, nullable=False),
)

cohort_changes = Table(
    "cohort_changes",
    metadata,
    Column("change_seq", BigInteger, primary_key=True),
    Column("partner_id", Text, nullable=False),
    Column("tag", Text, nullable=False),
    Column("effective_on", Date, nullable=False),
    Column("member", Boolean, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("recorded_by", Text, nullable=False),
)

simulations = Table(
    "simulations",
    metadata,
    Column("simulation_id", Text, primary_key=True),
    Column("simulation_seq", BigInteger, nullable=False),
    Column("partner_scope", Text),
    Column("request", JSONB, nullable=False),
    Column("result", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", Text, nullable=False),
)

forecasts = Table(
    "forecasts",
    metadata,
    Column("period", Text, nullable=False),
    Column("currency", Text, nullable=False),
    Column("reward_expense", Numeric, nullable=False),
    Column("mdf_usage", Numeric, nullable=False),
    Column("payouts", Numeric, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("recorded_by", Text, nullable=False),
    PrimaryKeyConstraint("period", "currency"),
)

service_reconciliation_runs = Table(
    "service_reconciliation_runs",
    metadata,
    Column("run_id", BigInteger, primary_key=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=False),
    Column("run_by", Text, nullable=False),
    Column("error", Text),
    Column("difference_count", Integer, nullable=False),
    Column("counts", JSONB, nullable=False),
    Column("compared", JSONB, nullable=False),
    Column("differences", JSONB, nullable=False),
    Column("information", JSONB, nullable=False),
)

notice_acknowledgements = Table(
    "notice_acknowledgements",
    metadata,
    Column("program_id", Text, primary_key=True),
    Column("program_version", Integer, primary_key=True),
    Column("partner_id", Text, primary_key=True),
    Column("acknowledged_by", Text, nullable=False),
    Column("acknowledged_at", DateTime(timezone=True), nullable=False),
)
