"""The registration service's tables (DDL lives in migrations/; this mirrors it for queries)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, DateTime, ForeignKey, MetaData, Numeric, Table, Text, func

metadata = MetaData()

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
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now(), onupdate=func.now()),
)

deals = Table(
    "deals",
    metadata,
    Column("deal_id", Text, primary_key=True),
    Column("partner_id", Text, ForeignKey("partners.partner_id"), nullable=False, index=True),
    Column("customer_name", Text, nullable=False),
    Column("customer_domain", Text),
    Column("product_line", Text, nullable=False),
    Column("currency", Text, nullable=False),
    Column("expected_amount", Numeric(20, 4), nullable=False),
    Column("expected_close", Date, nullable=False),
    Column("registered_on", Date, nullable=False),
    Column("stage", Text, nullable=False),
    Column("final_amount", Numeric(20, 4)),
    Column("closed_on", Date),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now(), onupdate=func.now()),
)
