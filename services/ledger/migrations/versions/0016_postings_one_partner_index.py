"""Postings keep one partner-keyed index: ``postings_account_time`` is dropped.

Every posting was written into three indexes: the key (entry, line), ``postings_payable_position``
(partner, account, currency, stream, sequence; holding entry, amount, time and line) and
``postings_account_time`` (partner, account, currency, time). The last one only served a partner's
statement and balances as of a time, and ``postings_payable_position`` answers those from the index
alone (all the columns they read are in it), filtering the partner's postings by time instead of
seeking to it. What that costs and what it saves, measured on a full-size ledger (10,000 partners,
4,000,000 postings):

- A monthly statement of an ordinary partner (400 postings) already read ``payable_position``:
  under a millisecond either way. For a partner with 1,000,000 postings, one month of lines took
  12 ms through ``account_time`` and takes 280 ms now; the opening balances of such a partner were
  a sequential scan before and after (about 360 ms).
- Every posting written skips an insert into a page of an index keyed by partner: the payout cut
  (20,000 postings, each on a different partner's page) took 4.61 s instead of 5.08 s in process
  (medians of four alternating cuts), the projector and ``ledger replay`` write and build one index
  fewer over all their postings.

Dropped and rebuilt ``CONCURRENTLY`` outside the migration's transaction, so the table keeps taking
writes; both steps may be repeated.

Revision ID: 0016
Revises: 0015
"""

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

NAME = "postings_account_time"


def upgrade() -> None:
    with op.get_context().autocommit_block():
        op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NAME}")


def downgrade() -> None:
    with op.get_context().autocommit_block():
        op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NAME}")  # an interrupted build leaves it invalid
        op.create_index(
            NAME, "postings", ["partner_id", "account", "currency", "effective_at"], postgresql_concurrently=True
        )
