"""Runtime tables, partners and deals.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from servicekit.tables import create_runtime_tables, drop_runtime_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_runtime_tables(op.get_bind())
    op.create_table(
        "partners",
        sa.Column("partner_id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("partner_type", sa.Text, nullable=False),
        sa.Column("region", sa.Text, nullable=False),
        sa.Column("vertical", sa.Text),
        sa.Column("domain", sa.Text),
        sa.Column("program_id", sa.Text, nullable=False),
        sa.Column("enrolled_on", sa.Date, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("tier", sa.Text),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "deals",
        sa.Column("deal_id", sa.Text, primary_key=True),
        sa.Column("partner_id", sa.Text, sa.ForeignKey("partners.partner_id"), nullable=False, index=True),
        sa.Column("customer_name", sa.Text, nullable=False),
        sa.Column("customer_domain", sa.Text),
        sa.Column("product_line", sa.Text, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("expected_amount", sa.Numeric(20, 4), nullable=False),
        sa.Column("expected_close", sa.Date, nullable=False),
        sa.Column("registered_on", sa.Date, nullable=False),
        sa.Column("stage", sa.Text, nullable=False),
        sa.Column("final_amount", sa.Numeric(20, 4)),
        sa.Column("closed_on", sa.Date),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )


def downgrade() -> None:
    op.drop_table("deals")
    op.drop_table("partners")
    drop_runtime_tables(op.get_bind())
