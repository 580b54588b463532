"""Partner attributes and tiers, the full deal registration, history, engagements, CRM sync.

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
    op.add_column("partners", sa.Column("contacts", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")))
    op.add_column("partners", sa.Column("deactivated_on", sa.Date))
    op.add_column("partners", sa.Column("deactivation_reason", sa.Text))
    op.add_column("partners", sa.Column("tier_effective_at", sa.Date))
    op.create_index("partners_domain", "partners", ["domain"])

    op.add_column("deals", sa.Column("seq", sa.BigInteger, sa.Identity(always=False), nullable=False))
    op.create_unique_constraint("deals_seq", "deals", ["seq"])
    op.add_column("deals", sa.Column("customer_name_key", sa.Text, nullable=False, server_default=""))
    op.add_column("deals", sa.Column("product_key", sa.Text, nullable=False, server_default=""))
    op.add_column("deals", sa.Column("status", sa.Text, nullable=False, server_default="pending"))
    op.add_column("deals", sa.Column("approved_on", sa.Date))
    op.add_column("deals", sa.Column("approved_by", sa.Text))
    op.add_column("deals", sa.Column("conflict_kind", sa.Text))
    op.add_column("deals", sa.Column("conflicts_with", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")))
    op.add_column("deals", sa.Column("last_progress_on", sa.Date))
    op.add_column("deals", sa.Column("lost_reason", sa.Text))
    op.add_column("deals", sa.Column("rejection_reason", sa.Text))
    op.add_column("deals", sa.Column("reversed_amount", sa.Numeric(), nullable=False, server_default="0"))
    # Unconstrained numeric keeps each amount's own scale (1200.00 stays 1200.00 on the wire).
    op.alter_column("deals", "expected_amount", type_=sa.Numeric())
    op.alter_column("deals", "final_amount", type_=sa.Numeric())
    op.add_column("deals", sa.Column("flags", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")))
    op.add_column("deals", sa.Column("influence", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")))
    op.add_column("deals", sa.Column("flagged", sa.Boolean, nullable=False, server_default=sa.false()))
    op.add_column("deals", sa.Column("source", sa.Text, nullable=False, server_default="api"))
    op.execute(
        "UPDATE deals SET status = CASE stage WHEN 'registered' THEN 'pending' ELSE stage END, "
        "customer_name_key = lower(customer_name), product_key = lower(product_line), last_progress_on = registered_on"
    )
    op.create_index("deals_customer_domain", "deals", ["customer_domain", "registered_on"])
    op.create_index("deals_customer_name_key", "deals", ["customer_name_key", "registered_on"])
    op.create_index("deals_partner_registered", "deals", ["partner_id", "registered_on"])
    op.create_index("deals_status_progress", "deals", ["status", "last_progress_on"])
    op.create_index("deals_expected_close", "deals", ["expected_close"])

    op.create_table(
        "deal_history",
        sa.Column("id", sa.BigInteger, sa.Identity(always=False), primary_key=True),
        sa.Column("deal_id", sa.Text, sa.ForeignKey("deals.deal_id"), nullable=False),
        sa.Column("event_id", sa.Text, nullable=False, unique=True),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.Text),
        sa.Column("data", JSONB, nullable=False),
    )
    op.create_index("deal_history_deal", "deal_history", ["deal_id", "id"])

    op.create_table(
        "direct_deals",
        sa.Column("direct_deal_id", sa.Text, primary_key=True),
        sa.Column("customer_name", sa.Text, nullable=False),
        sa.Column("customer_domain", sa.Text),
        sa.Column("customer_name_key", sa.Text, nullable=False),
        sa.Column("product_line", sa.Text, nullable=False),
        sa.Column("product_key", sa.Text, nullable=False),
        sa.Column("registered_on", sa.Date, nullable=False),
        sa.Column("status", sa.Text, nullable=False, server_default="active"),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("direct_deals_domain", "direct_deals", ["customer_domain"])
    op.create_index("direct_deals_name_key", "direct_deals", ["customer_name_key"])

    op.create_table(
        "engagements",
        sa.Column("engagement_id", sa.Text, primary_key=True),
        sa.Column("seq", sa.BigInteger, sa.Identity(always=False), nullable=False, unique=True),
        sa.Column("partner_id", sa.Text, sa.ForeignKey("partners.partner_id"), nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("occurred_on", sa.Date, nullable=False),
        sa.Column("evidence_ref", sa.Text, nullable=False),
        sa.Column("recorded_by", sa.Text, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("partner_id", "kind", "occurred_on", "evidence_ref", name="engagements_same_activity"),
    )
    op.create_index("engagements_partner", "engagements", ["partner_id", "occurred_on"])

    op.create_table(
        "crm_records",
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("record_id", sa.Text, nullable=False),
        sa.Column("deal_id", sa.Text, nullable=False),
        sa.Column("fields", JSONB, nullable=False),
        sa.Column("versions", JSONB, nullable=False),
        sa.Column("modified_at", sa.DateTime(timezone=True)),
        sa.Column("outcome", sa.Text),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("source", "record_id"),
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("delivery_id", sa.Text, nullable=False),
        sa.Column("record_id", sa.Text),
        sa.Column("outcome", sa.Text),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("source", "delivery_id"),
    )


def downgrade() -> None:
    op.drop_table("webhook_deliveries")
    op.drop_table("crm_records")
    op.drop_table("engagements")
    op.drop_table("direct_deals")
    op.drop_table("deal_history")
    for index in ("deals_expected_close", "deals_status_progress", "deals_partner_registered",
                  "deals_customer_name_key", "deals_customer_domain"):
        op.drop_index(index, "deals")
    op.drop_constraint("deals_seq", "deals")
    for column in ("source", "flagged", "influence", "flags", "reversed_amount", "rejection_reason", "lost_reason",
                   "last_progress_on", "conflicts_with", "conflict_kind", "approved_by", "approved_on", "status",
                   "product_key", "customer_name_key", "seq"):
        op.drop_column("deals", column)
    op.alter_column("deals", "expected_amount", type_=sa.Numeric(20, 4))
    op.alter_column("deals", "final_amount", type_=sa.Numeric(20, 4))
    op.drop_index("partners_domain", "partners")
    for column in ("tier_effective_at", "deactivation_reason", "deactivated_on", "contacts"):
        op.drop_column("partners", column)
