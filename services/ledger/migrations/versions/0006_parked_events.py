"""Parked events: consumed events waiting for what they depend on (servicekit parking).

Revision ID: 0006
Revises: 0005
"""

from alembic import op
from servicekit.tables import create_parking_tables, drop_parking_tables

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_parking_tables(op.get_bind())


def downgrade() -> None:
    drop_parking_tables(op.get_bind())
