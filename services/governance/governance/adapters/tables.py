"""SQLAlchemy Core descriptions of governance's tables (the DDL is in migrations/versions)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Identity,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    Table,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

metadata = MetaData()

streams = Table(
    "streams",
    metadata,
    Column("stream_id", Text, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("partner_id", Text),
    Column("label", Text),
    Column("status", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("seq", BigInteger, Identity(), nullable=False, unique=True),
)

stream_events = Table(
    "stream_events",
    metadata,
    Column("stream_id", Text, primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("event_type", Text, nullable=False),
    Column("event_version", Integer, nullable=False),
    Column("data", JSONB, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

activity_facts = Table(
    "activity_facts",
    metadata,
    Column("fact_id", Text, primary_key=True),
    Column("partner_id", Text, nullable=False),
    Column("metric", Text, nullable=False),
    Column("occurred_on", Date, nullable=False),
    Column("quantity", Numeric(20, 4), nullable=False),
)

audit_population = Table(
    "audit_population",
    metadata,
    Column("item_kind", Text, primary_key=True),
    Column("item_id", Text, primary_key=True),
    Column("partner_id", Text, nullable=False),
    Column("period", Text, nullable=False),
)

program_versions = Table(
    "program_versions",
    metadata,
    Column("program_id", Text, primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("effective_from", Date, nullable=False),
    Column("announcement", JSONB, nullable=False),  # the program.version_published payload
)

webhook_subscriptions = Table(
    "webhook_subscriptions",
    metadata,
    Column("subscription_id", Text, primary_key=True),
    Column("partner_id", Text),
    Column("url", Text, nullable=False),
    Column("secret", Text, nullable=False),
    Column("event_types", ARRAY(Text), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_by", Text, nullable=False),
    Column("seq", BigInteger, Identity(), nullable=False, unique=True),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("delivery_id", BigInteger, Identity(), primary_key=True),
    Column("subscription_id", Text, nullable=False),
    Column("event_id", Text, nullable=False),
    Column("event_type", Text, nullable=False),
    Column("partner_id", Text),
    Column("body", LargeBinary, nullable=False),
    Column("status", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True)),
    Column("last_status_code", Integer),
    Column("last_error", Text),
    Column("delivered_at", DateTime(timezone=True)),
)
