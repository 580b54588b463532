"""Entries without a deal, and entries that reverse nothing, stay out of the indexes that find them.

``journal_entries_deal`` (partner, deal) and ``journal_entries_reverses`` are only ever searched for
a given deal or a given reversed entry, a value never NULL: their NULL rows were written and kept
for nothing. Most entries reverse nothing, and a payout cut's entries (one per partner paid) have no
deal, so each of those entries was inserted into one or two indexes no query reads; a payout entry
landed in a different page of the deal index for every partner. Both become partial indexes of the
rows with a value. The queries that use them (a deal's entries, the entries reversing one) name a
value, which PostgreSQL takes as implying the index's condition, prepared or not.

Built as 0012 and 0013 were (``rebuild_index_concurrently``): beside the old index, outside the
migration's transaction, every step repeatable.

Revision ID: 0014
Revises: 0013
"""

from servicekit.migrations import rebuild_index_concurrently

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# Each index: its key, and the rows it keeps from this revision on.
PARTIAL = {
    "journal_entries_deal": (["partner_id", "deal_id"], "deal_id IS NOT NULL"),
    "journal_entries_reverses": (["reverses"], "reverses IS NOT NULL"),
}


def upgrade() -> None:
    for name, (key, where) in PARTIAL.items():
        rebuild_index_concurrently(name, "journal_entries", key, [], where=where)


def downgrade() -> None:
    for name, (key, _) in PARTIAL.items():
        rebuild_index_concurrently(name, "journal_entries", key, [])
