"""Accrual clawbacks: each ledger.mdf_accrual_reversed the mdf service answered, with what it took.

Keyed by the ledger's reversal entry id, so a reversal re-announced under another event id is
answered once. A fund's ``accrued`` is the sum of its accruals minus the ``taken`` here.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(20, 4)


def upgrade() -> None:
    op.create_table(
        "accrual_clawbacks",
        sa.Column("reversal_entry_id", sa.Text, primary_key=True),
        sa.Column("event_id", sa.Text, nullable=False),
        sa.Column("reverses", sa.Text, nullable=False),
        sa.Column("partner_id", sa.Text, nullable=False),
        sa.Column("period", sa.Text, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("deal_id", sa.Text, nullable=False),
        sa.Column("requested", MONEY, nullable=False),
        sa.Column("taken", MONEY, nullable=False),
        sa.Column("unrecovered", MONEY, nullable=False),
        sa.Column("clawed_on", sa.Date, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint(
            "taken >= 0 AND unrecovered >= 0 AND taken + unrecovered = requested", name="accrual_clawbacks_add_up"
        ),
    )
    op.create_index("accrual_clawbacks_by_partner", "accrual_clawbacks", ["partner_id", "period"])


def downgrade() -> None:
    op.drop_table("accrual_clawbacks")
