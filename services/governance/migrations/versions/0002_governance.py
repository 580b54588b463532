"""Governance's own tables: event streams of its aggregates (plans, benefit standings, disputes, audit
periods, proposals) with a row per stream for lists; activity facts from other services' events (what
benefit rules and plan criteria measure); the spot-audit population (won deals and MDF claims).

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


def upgrade() -> None:
    op.create_table(
        "streams",
        sa.Column("stream_id", sa.Text, primary_key=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("partner_id", sa.Text, nullable=True),
        sa.Column("label", sa.Text, nullable=True),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("seq", sa.BigInteger, sa.Identity(), nullable=False, unique=True),
    )
    op.create_index("streams_by_kind", "streams", ["kind", "partner_id", "seq"])
    # One joint plan per partner and year.
    op.create_index(
        "streams_one_plan_per_partner_year",
        "streams",
        ["partner_id", "label"],
        unique=True,
        postgresql_where=sa.text("kind = 'plan'"),
    )
    op.create_table(
        "stream_events",
        sa.Column("stream_id", sa.Text, sa.ForeignKey("streams.stream_id"), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("event_version", sa.Integer, nullable=False),
        sa.Column("data", JSONB, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "activity_facts",
        sa.Column("fact_id", sa.Text, primary_key=True),
        sa.Column("partner_id", sa.Text, nullable=False),
        sa.Column("metric", sa.Text, nullable=False),
        sa.Column("occurred_on", sa.Date, nullable=False),
        sa.Column("quantity", sa.Numeric(20, 4), nullable=False),
    )
    op.create_index("activity_facts_by_partner", "activity_facts", ["partner_id", "occurred_on"])
    op.create_table(
        "audit_population",
        sa.Column("item_kind", sa.Text, primary_key=True),
        sa.Column("item_id", sa.Text, primary_key=True),
        sa.Column("partner_id", sa.Text, nullable=False),
        sa.Column("period", sa.Text, nullable=False),
    )
    op.create_index("audit_population_by_period", "audit_population", ["period"])


def downgrade() -> None:
    op.drop_table("audit_population")
    op.drop_table("activity_facts")
    op.drop_table("stream_events")
    op.drop_table("streams")
