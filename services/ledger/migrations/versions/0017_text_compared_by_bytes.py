"""The ledger's text columns compare by bytes: every ``text`` column takes ``COLLATE "C"``.

Every key of the ledger is text (entry, event, partner, deal and line ids; accounts, currencies,
streams), and a database created with a language's collation (``C.UTF-8``, ``en_US.UTF-8``: what
``initdb`` and most hosted servers default to) compares them through the C library's ``strcoll``
and sorts them without abbreviated keys. None of them is ever ordered for a reader's language; the
ledger orders ids by bytes where it hashes them (the payout cut's coverage hash says so in its SQL).
With the "C" collation a comparison is a ``memcmp``. Measured on this project's 2-core machine,
PostgreSQL 18, ``CREATE INDEX`` over 2,000,000 rows as a replay builds them at its end, twice
each: random entry ids 2.03 and 2.24 s before, 0.79 and 0.81 s after; event ids 1.98 and 2.01 s,
0.87 and 0.88 s after; (partner, sequence) 1.27 and 1.34 s, 1.07 and 1.11 s after. Every index
insert (the projector, the payout cut) compares a key at each level of its descent the same way.

Every text column of every table, not only the keys (``servicekit.text_collation`` says why and
how). No table is rewritten, but every index on a changed column is rebuilt while its table is
locked: 16.8-18.4 s for a ledger of 10,000 partners and 2,020,000 entries on that machine (a
``REINDEX`` of the same tables with the former collation: 23.8-25.4 s). On a large ledger, run it
in a maintenance window.

For a database created with ``LC_COLLATE 'C'`` (or with UTF-8 byte order, as glibc's ``C.UTF-8``
is), every order and every result is the same before and after. The downgrade gives the columns
the database's default collation back.

Revision ID: 0017
Revises: 0016
"""

from servicekit.text_collation import downgrade_to_database_default as downgrade
from servicekit.text_collation import upgrade_to_bytes as upgrade

__all__ = ["downgrade", "upgrade"]  # what Alembic calls
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None
