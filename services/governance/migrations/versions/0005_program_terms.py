"""Program versions as the ledger announced them (program.version_published): the commitment rules and
spot-audit rate of each version, with its effective date, so benefits and audits apply the version in
force on the day they are about.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "program_versions",
        sa.Column("program_id", sa.Text, primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("announcement", JSONB, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("program_versions")
