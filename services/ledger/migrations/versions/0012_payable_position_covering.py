"""The payout cut reads its payable postings from the index alone.

``postings_payable_position`` (partner, account, currency, stream, sequence) also holds each
posting's entry id, amount and effective time (``INCLUDE``): the cut reads every payable posting it
pays, and with them in the index it reads no table row for them (an index-only scan, where the
table's pages are all-visible; the others are read from the table as before).

The covering index is built ``CONCURRENTLY`` beside the old one, outside the migration's
transaction, so a large journal keeps taking postings while it is built; the old index is then
dropped the same way and the new one takes its name. Every step may be repeated: an upgrade
interrupted anywhere is finished by running it again (an interrupted concurrent build leaves an
invalid index, which the first step drops).

Revision ID: 0012
Revises: 0011
"""

from servicekit.migrations import rebuild_index_concurrently

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

NAME = "postings_payable_position"
KEY = ["partner_id", "account", "currency", "stream", "sequence"]


def upgrade() -> None:
    rebuild_index_concurrently(NAME, "postings", KEY, ["entry_id", "amount", "effective_at"])


def downgrade() -> None:
    rebuild_index_concurrently(NAME, "postings", KEY, [])
