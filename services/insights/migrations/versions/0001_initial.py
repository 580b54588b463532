"""Runtime tables (outbox, inbox keyed by consumer group, offsets, dead letters, idempotency keys,
parked events).

Revision ID: 0001
Revises:
"""

from alembic import op
from servicekit.tables import create_parking_tables, create_runtime_tables, drop_parking_tables, drop_runtime_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_runtime_tables(op.get_bind())
    create_parking_tables(op.get_bind())


def downgrade() -> None:
    drop_parking_tables(op.get_bind())
    drop_runtime_tables(op.get_bind())
