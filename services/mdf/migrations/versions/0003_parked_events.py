"""Parked events: consumed events waiting for what they depend on (servicekit parking).

Revision ID: 0003
Revises: 0002
"""

from alembic import op
from servicekit.tables import create_parking_tables, drop_parking_tables

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_parking_tables(op.get_bind())


def downgrade() -> None:
    drop_parking_tables(op.get_bind())
