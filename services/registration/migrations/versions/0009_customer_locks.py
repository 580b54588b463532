"""Customer locks as rows: one row per customer key hash, locked by the transactions registering that
customer (``INSERT ... ON CONFLICT DO UPDATE ... WHERE false`` inserts a new key's row or locks the
existing one). Row locks live in the rows, not in PostgreSQL's shared lock table, so a 5,000-deal
request locks each of its ~10,000 keys instead of all 256 advisory lock buckets, and two requests
about different customers no longer wait for each other. Also drops deals' index on partner_id alone
(redundant beside the one on partner_id and registered_on): one index fewer to maintain per deal.

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
    # UNLOGGED: the rows only anchor locks, so they need no WAL (inserting and locking ~10,000 of them
    # per bulk request costs PostgreSQL about a third less, relocking existing ones ~8x less); after a
    # crash the table comes back empty and rows are inserted again as customers are registered.
    op.create_table("customer_locks", sa.Column("key_hash", sa.BigInteger, primary_key=True), prefixes=["UNLOGGED"])
    # deals(partner_id) is the leading column of deals_partner_registered (partner_id, registered_on),
    # which serves every lookup by partner (and the foreign key's checks): one index fewer per deal.
    op.drop_index("ix_deals_partner_id", table_name="deals")


def downgrade() -> None:
    op.create_index("ix_deals_partner_id", "deals", ["partner_id"])
    op.drop_table("customer_locks")
