"""Partners' acknowledgements of announced program versions (who acknowledged, when).

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notice_acknowledgements",
        sa.Column("program_id", sa.Text, nullable=False),
        sa.Column("program_version", sa.Integer, nullable=False),
        sa.Column("partner_id", sa.Text, nullable=False),
        sa.Column("acknowledged_by", sa.Text, nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("program_id", "program_version", "partner_id"),
    )


def downgrade() -> None:
    op.drop_table("notice_acknowledgements")
