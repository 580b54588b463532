"""CRM inbox: verified webhook deliveries stored at the edge, applied by the crm-sync worker.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crm_inbox",
        sa.Column("id", sa.BigInteger, sa.Identity(always=False), primary_key=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("delivery_id", sa.Text, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("payload", JSONB, nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True)),
        sa.Column("outcome", JSONB),
        sa.UniqueConstraint("source", "delivery_id", name="crm_inbox_delivery"),
    )
    # The worker's claim scans only what is still pending, in arrival order.
    op.create_index("crm_inbox_pending", "crm_inbox", ["id"], postgresql_where=sa.text("processed_at IS NULL"))


def downgrade() -> None:
    op.drop_table("crm_inbox")
