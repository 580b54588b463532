"""An auditor reads each entry's postings from the payout index alone.

``postings_payable_position`` also holds each posting's line (``INCLUDE``). ``ledger verify`` reads
a page's postings by partner range, in line order within each entry: with the line in the index
that is an index-only scan where the table's pages are all-visible, instead of one table page per
few postings (a full-size verify read ~1,500 table pages for every 5,000 entries). The payout cut
reads the index as before; the index has the same entries, each a few bytes longer.

Built as 0012 was (``rebuild_index_concurrently``): beside the old index, outside the migration's
transaction, every step repeatable.

Revision ID: 0013
Revises: 0012
"""

from servicekit.migrations import rebuild_index_concurrently

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

NAME = "postings_payable_position"
KEY = ["partner_id", "account", "currency", "stream", "sequence"]


def upgrade() -> None:
    rebuild_index_concurrently(NAME, "postings", KEY, ["entry_id", "amount", "effective_at", "line"])


def downgrade() -> None:
    rebuild_index_concurrently(NAME, "postings", KEY, ["entry_id", "amount", "effective_at"])
