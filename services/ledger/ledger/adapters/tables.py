"""The ledger's tables (DDL lives in migrations/; this mirrors it for queries)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Integer, MetaData, Numeric, PrimaryKeyConstraint, Table, Text
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

ledger_partners = Table(
    "ledger_partners",
    metadata,
    Column("partner_id", Text, primary_key=True),
    Column("program_id", Text),
    Column("last_sequence", BigInteger, nullable=False),
    Column("head_hash", Text, nullable=False),
)

journal_entries = Table(
    "journal_entries",
    metadata,
    Column("entry_id", Text, primary_key=True),
    Column("partner_id", Text, nullable=False),
    Column("sequence", BigInteger, nullable=False),
    Column("kind", Text, nullable=False),
    Column("caused_by", Text, nullable=False),
    Column("effective_at", DateTime(timezone=True), nullable=False),
    Column("rule_id", Text, nullable=False),
    Column("rule_version", Integer, nullable=False),
    Column("reverses", Text),
    Column("explanation", JSONB, nullable=False),
    Column("prev_hash", Text, nullable=False),
    Column("entry_hash", Text, nullable=False),
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
