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

Every text column of every table, not only the keys: a comparison between two columns of different
collations could not use the other column's index, so the whole schema moves together. PostgreSQL
refuses to change a column that a view reads or that a trigger's condition names: those views and
triggers are dropped around the change and made again from their own definitions. For ``text`` a
new collation is binary compatible, so no table is rewritten, but every index on a changed column
is rebuilt while its table is locked: on a large ledger, run it in a maintenance window.

For a database created with ``LC_COLLATE 'C'`` (or with UTF-8 byte order, as glibc's ``C.UTF-8``
is), every order and every result is the same before and after. The downgrade gives the columns
the database's default collation back.

Revision ID: 0017
Revises: 0016
"""

from collections import defaultdict

from alembic import op
from sqlalchemy import text

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

TEXT_COLUMNS = """
SELECT c.relname, a.attname
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
  AND a.atttypid = 'text'::regtype AND a.attnum > 0 AND NOT a.attisdropped
  AND a.attcollation = CAST(:collation AS regcollation)
ORDER BY c.relname, a.attnum
"""
VIEWS = """
SELECT c.relname, pg_get_viewdef(c.oid) AS definition
FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'v' ORDER BY c.oid
"""
# Triggers that name columns (a WHEN condition, UPDATE OF): PostgreSQL refuses to change those columns too.
COLUMN_TRIGGERS = """
SELECT t.tgname, c.relname, pg_get_triggerdef(t.oid) AS definition
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
WHERE c.relnamespace = current_schema()::regnamespace AND NOT t.tgisinternal
  AND (t.tgqual IS NOT NULL OR t.tgattr::text <> '')
ORDER BY t.oid
"""


def upgrade() -> None:
    _collate(source='"default"', target='"C"')


def downgrade() -> None:
    _collate(source='"C"', target='"default"')


def _collate(source: str, target: str) -> None:
    """Every text column of collation ``source`` takes ``target``: one ``ALTER TABLE`` per table, so
    each index is rebuilt once; the views and the triggers that name columns dropped around it and
    made again from their own definitions."""
    bind = op.get_bind()
    views = bind.execute(text(VIEWS)).all()
    triggers = bind.execute(text(COLUMN_TRIGGERS)).all()
    for name, _ in reversed(views):
        op.execute(f'DROP VIEW "{name}"')
    for name, table, _ in triggers:
        op.execute(f'DROP TRIGGER "{name}" ON "{table}"')
    columns: dict[str, list[str]] = defaultdict(list)
    for table, column in bind.execute(text(TEXT_COLUMNS), {"collation": source}):
        columns[table].append(column)
    for table, names in columns.items():
        changes = ", ".join(f'ALTER COLUMN "{name}" TYPE text COLLATE {target}' for name in names)
        op.execute(f'ALTER TABLE "{table}" {changes}')
    for name, definition in views:
        bind.exec_driver_sql(f'CREATE VIEW "{name}" AS {definition}')  # as written: its ':' are not parameters
    for _, _, definition in triggers:
        bind.exec_driver_sql(definition)
