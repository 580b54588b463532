"""The indicator read models: partners, deals and their stages, MDF requests, spend and results,
engagement, and the programs a partner's rewards were posted under (pilot variants).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(20, 4)


def upgrade() -> None:
    op.create_table(
        "insights_partners",
        sa.Column("partner_id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("partner_type", sa.Text, nullable=False),
        sa.Column("program_id", sa.Text, nullable=False),
        sa.Column("region", sa.Text, nullable=False),
        sa.Column("vertical", sa.Text),
        sa.Column("enrolled_on", sa.Date, nullable=False),
        sa.Column("tier", sa.Text),
        sa.Column("tier_since", sa.Date),
        sa.Column("deactivated_on", sa.Date),
    )
    op.create_table(
        "insights_deals",
        sa.Column("deal_id", sa.Text, primary_key=True),
        sa.Column("partner_id", sa.Text, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("expected_amount", MONEY, nullable=False),
        sa.Column("expected_close", sa.Date, nullable=False),
        sa.Column("registered_on", sa.Date, nullable=False),
        sa.Column("stage", sa.Text, nullable=False),
        sa.Column("won_amount", MONEY),
        sa.Column("closed_on", sa.Date),
    )
    op.create_index("insights_deals_partner", "insights_deals", ["partner_id", "deal_id"])
    # Program-wide series read a currency's deals by registration date.
    op.create_index("insights_deals_registered", "insights_deals", ["currency", "registered_on"])
    op.create_table(
        "insights_deal_stages",
        sa.Column("deal_id", sa.Text, primary_key=True),
        sa.Column("stage", sa.Text, primary_key=True),
        sa.Column("reached_on", sa.Date, nullable=False),
    )
    op.create_table(
        "insights_mdf_requests",
        sa.Column("request_id", sa.Text, primary_key=True),
        sa.Column("partner_id", sa.Text, nullable=False),
        sa.Column("activity_type", sa.Text, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("requested_amount", MONEY, nullable=False),
        sa.Column("approved_amount", MONEY),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("submitted_on", sa.Date, nullable=False),
    )
    op.create_index("insights_mdf_requests_partner", "insights_mdf_requests", ["partner_id"])
    op.create_index("insights_mdf_requests_submitted", "insights_mdf_requests", ["submitted_on"])
    op.create_table(
        "insights_mdf_spend",
        sa.Column("disbursement_id", sa.Text, primary_key=True),
        sa.Column("partner_id", sa.Text, nullable=False),
        sa.Column("request_id", sa.Text, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("disbursed_on", sa.Date, nullable=False),
    )
    op.create_index("insights_mdf_spend_partner", "insights_mdf_spend", ["partner_id"])
    op.create_index("insights_mdf_spend_disbursed", "insights_mdf_spend", ["disbursed_on"])
    op.create_table(
        "insights_mdf_results",
        sa.Column("request_id", sa.Text, primary_key=True),
        sa.Column("partner_id", sa.Text, nullable=False),
        sa.Column("activity_type", sa.Text, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("spend", MONEY, nullable=False),
        sa.Column("registrations", sa.Integer, nullable=False),
        sa.Column("attendees", sa.Integer, nullable=False),
        sa.Column("leads", sa.Integer, nullable=False),
        sa.Column("opportunities_influenced", sa.Integer, nullable=False),
        sa.Column("reported_on", sa.Date, nullable=False),
    )
    op.create_index("insights_mdf_results_partner", "insights_mdf_results", ["partner_id"])
    op.create_index("insights_mdf_results_reported", "insights_mdf_results", ["reported_on"])
    op.create_table(
        "insights_engagements",
        sa.Column("engagement_id", sa.Text, primary_key=True),
        sa.Column("partner_id", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("occurred_on", sa.Date, nullable=False),
    )
    op.create_index("insights_engagements_partner", "insights_engagements", ["partner_id"])
    op.create_index("insights_engagements_occurred", "insights_engagements", ["occurred_on"])
    op.create_table(
        "insights_reward_programs",
        sa.Column("partner_id", sa.Text, primary_key=True),
        sa.Column("program_id", sa.Text, primary_key=True),
        sa.Column("first_posted_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "insights_reward_programs",
        "insights_engagements",
        "insights_mdf_results",
        "insights_mdf_spend",
        "insights_mdf_requests",
        "insights_deal_stages",
        "insights_deals",
        "insights_partners",
    ):
        op.drop_table(table)
