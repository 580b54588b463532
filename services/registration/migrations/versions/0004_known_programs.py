"""Known programs: the incentive programs the ledger published (program.version_published).

Revision ID: 0004_known_programs
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_known_programs"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "known_programs",
        sa.Column("program_id", sa.Text, primary_key=True),
        sa.Column("latest_version", sa.Integer, nullable=False),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )


def downgrade() -> None:
    op.drop_table("known_programs")
