"""The partners the mdf service knows, from the registration topic (allocations need one).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mdf_partners",
        sa.Column("partner_id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("program_id", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False, server_default="active"),
        sa.Column("enrolled_on", sa.Date, nullable=False),
        sa.Column("deactivated_on", sa.Date),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("status IN ('active', 'deactivated')", name="mdf_partners_status"),
    )


def downgrade() -> None:
    op.drop_table("mdf_partners")
