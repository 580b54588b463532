"""The registration service's tables (DDL lives in migrations/; this mirrors it for queries)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    SmallInteger,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

metadata = MetaData()

known_programs = Table(
    "known_programs",
    metadata,
    Column("program_id", Text, primary_key=True),
    Column("latest_version", Integer, nullable=False),
    Column("label", Text, nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

partners = Table(
    "partners",
    metadata,
    Column("partner_id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("partner_type", Text, nullable=False),
    Column("region", Text, nullable=False),
    Column("vertical", Text),
    Column("domain", Text),
    Column("program_id", Text, nullable=False),
    Column("enrolled_on", Date, nullable=False),
    Column("active", Boolean, nullable=False, server_default="true"),
    Column("tier", Text),
    Column("contacts", JSONB, nullable=False),
    Column("deactivated_on", Date),
    Column("deactivation_reason", Text),
    Column("tier_effective_at", Date),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now(), onupdate=func.now()),
)

deals = Table(
    "deals",
    metadata,
    Column("deal_id", Text, primary_key=True),
    Column("seq", BigInteger, Identity(always=False), nullable=False),
    Column("partner_id", Text, ForeignKey("partners.partner_id"), nullable=False),
    Column("customer_name", Text, nullable=False),
    Column("customer_domain", Text),
    Column("customer_name_key", Text, nullable=False),
    Column("product_line", Text, nullable=False),
    Column("product_key", Text, nullable=False),
    Column("currency", Text, nullable=False),
    Column("expected_amount", Numeric(), nullable=False),
    Column("expected_close", Date, nullable=False),
    Column("registered_on", Date, nullable=False),
    Column("status", Text, nullable=False),
    Column("stage", Text, nullable=False),
    Column("approved_on", Date),
    Column("approved_by", Text),
    Column("conflict_kind", Text),
    Column("conflicts_with", JSONB, nullable=False),
    Column("last_progress_on", Date),
    Column("final_amount", Numeric()),
    Column("closed_on", Date),
    Column("lost_reason", Text),
    Column("rejection_reason", Text),
    Column("reversed_amount", Numeric(), nullable=False),
    Column("flags", JSONB, nullable=False),
    Column("influence", JSONB, nullable=False),
    Column("flagged", Boolean, nullable=False),
    Column("source", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now(), onupdate=func.now()),
)

deal_history = Table(
    "deal_history",
    metadata,
    Column("id", BigInteger, Identity(always=False), primary_key=True),
    Column("deal_id", Text, ForeignKey("deals.deal_id"), nullable=False),
    Column("event_id", Text, nullable=False, unique=True),
    Column("event_type", Text, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("actor", Text),
    Column("data", JSONB, nullable=False),
)

customer_locks = Table(  # lock anchors: one row per customer key hash (adapters/unit.py)
    "customer_locks",
    metadata,
    Column("key_hash", BigInteger, primary_key=True),
    prefixes=["UNLOGGED"],
)

direct_deals = Table(
    "direct_deals",
    metadata,
    Column("direct_deal_id", Text, primary_key=True),
    Column("customer_name", Text, nullable=False),
    Column("customer_domain", Text),
    Column("customer_name_key", Text, nullable=False),
    Column("product_line", Text, nullable=False),
    Column("product_key", Text, nullable=False),
    Column("registered_on", Date, nullable=False),
    Column("status", Text, nullable=False),
    Column("created_by", Text, nullable=False),
    Column("note", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

engagements = Table(
    "engagements",
    metadata,
    Column("engagement_id", Text, primary_key=True),
    Column("seq", BigInteger, Identity(always=False), nullable=False),
    Column("partner_id", Text, ForeignKey("partners.partner_id"), nullable=False),
    Column("kind", Text, nullable=False),
    Column("occurred_on", Date, nullable=False),
    Column("evidence_ref", Text, nullable=False),
    Column("recorded_by", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

crm_records = Table(
    "crm_records",
    metadata,
    Column("source", Text, nullable=False),
    Column("record_id", Text, nullable=False),
    Column("deal_id", Text, nullable=False),
    Column("fields", JSONB, nullable=False),
    Column("versions", JSONB, nullable=False),
    Column("modified_at", DateTime(timezone=True)),
    Column("outcome", Text),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now(), onupdate=func.now()),
    PrimaryKeyConstraint("source", "record_id"),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("source", Text, nullable=False),
    Column("delivery_id", Text, nullable=False),
    Column("record_id", Text),
    Column("outcome", Text),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("source", "delivery_id"),
)

crm_inbox = Table(
    "crm_inbox",
    metadata,
    Column("id", BigInteger, Identity(always=False), primary_key=True),
    Column("source", Text, nullable=False),
    Column("delivery_id", Text, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("payload", JSONB, nullable=False),
    Column("processed_at", DateTime(timezone=True)),
    Column("outcome", JSONB),
    # The CRM record lock buckets the delivery touches (crm_lock_bucket): which crm-sync shards it
    # concerns (bucket % shards); NULL (stored before revision 0008) counts as every shard.
    Column("record_buckets", ARRAY(SmallInteger)),
    UniqueConstraint("source", "delivery_id", name="crm_inbox_delivery"),
    Index("crm_inbox_pending", "id", postgresql_where=text("processed_at IS NULL")),
)
