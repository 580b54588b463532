"""The governance service's text columns compare by bytes: every ``text`` column takes ``COLLATE "C"``.

Every key of governance is text (partner, stream, subscription, fact and audit item ids, topics).
None of them is ever ordered for a reader's language; with the "C" collation a comparison is a
``memcmp`` instead of the C library's ``strcoll`` of a database created with a language's collation,
and sorts use abbreviated keys (``servicekit.text_collation`` says why every text column moves, and
how). No table is rewritten, but the indexes on the changed columns are rebuilt while their tables
are locked. On a database created with ``LC_COLLATE 'C'`` (or UTF-8 byte order, as glibc's
``C.UTF-8`` is) every order and result is the same before and after; the downgrade gives the columns
the database's default collation back.

Revision ID: 0006
Revises: 0005
"""

from servicekit.text_collation import BYTES, DATABASE_DEFAULT, collate_text_columns

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    collate_text_columns(source=DATABASE_DEFAULT, target=BYTES)


def downgrade() -> None:
    collate_text_columns(source=BYTES, target=DATABASE_DEFAULT)
