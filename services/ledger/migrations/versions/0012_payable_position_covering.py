"""The payout cut reads its payable postings from the index alone.

``postings_payable_position`` (partner, account, currency, stream, sequence) also holds each
posting's entry id, amount and effective time (``INCLUDE``): the cut reads every payable posting it
pays, and with them in the index it reads no table row for them (an index-only scan, where the
table's pages are all-visible; the others are read from the table as before).

Revision ID: 0012
Revises: 0011
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

KEY = ["partner_id", "account", "currency", "stream", "sequence"]


def upgrade() -> None:
    op.drop_index("postings_payable_position", "postings")
    op.create_index(
        "postings_payable_position", "postings", KEY, postgresql_include=["entry_id", "amount", "effective_at"]
    )


def downgrade() -> None:
    op.drop_index("postings_payable_position", "postings")
    op.create_index("postings_payable_position", "postings", KEY)
