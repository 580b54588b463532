"""Within a migration: every text column of the schema given another collation, in one step.

Every service keys its rows by text (ids, accounts, currencies, topics) and never orders them for a
reader's language. A database created with a language's collation (``C.UTF-8``, ``en_US.UTF-8``:
what ``initdb`` and most hosted servers default to) compares them through the C library's
``strcoll`` and sorts them without abbreviated keys; with ``COLLATE "C"`` a comparison is a
``memcmp``. Each service has one migration that moves its schema to "C" (ADR 0009): its
``upgrade`` and ``downgrade`` are ``upgrade_to_bytes`` and ``downgrade_to_database_default``.
"""

from __future__ import annotations

from collections import defaultdict

from alembic import op
from sqlalchemy import text

BYTES = '"C"'
DATABASE_DEFAULT = '"default"'

TEXT_COLUMNS = """
SELECT c.relname, a.attname
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND a.atttypid = 'text'::regtype AND a.attnum > 0 AND NOT a.attisdropped
  AND a.attcollation = CAST(:collation AS regcollation)
ORDER BY c.relname, a.attnum
"""
VIEWS = """
SELECT c.relname, pg_get_viewdef(c.oid) AS definition
FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'v' ORDER BY c.oid
"""
# Triggers that name columns (a WHEN condition, UPDATE OF): PostgreSQL refuses to change those columns.
COLUMN_TRIGGERS = """
SELECT t.tgname, c.relname, pg_get_triggerdef(t.oid) AS definition
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
WHERE c.relnamespace = current_schema()::regnamespace AND NOT t.tgisinternal
  AND (t.tgqual IS NOT NULL OR t.tgattr::text <> '')
ORDER BY t.oid
"""


def collate_text_columns(source: str, target: str) -> None:
    """Every text column of collation ``source`` (``DATABASE_DEFAULT``, ``BYTES``) takes ``target``.

    Every column, not only the keys: a comparison between two columns of different collations could
    not use the other column's index. One ``ALTER TABLE`` per table, so each of its indexes is
    rebuilt once (for ``text`` a new collation is binary compatible: no table is rewritten, but the
    table is locked while its indexes are rebuilt); a partitioned table's partitions follow it (a
    text partition key cannot change in place: PostgreSQL refuses, and the migration fails whole).
    PostgreSQL refuses to change a column that a view reads or a trigger's condition names: those
    views and triggers are dropped around the change and made again from their own definitions (a
    view's grants and comments are not carried over: no service's schema has any)."""
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


def upgrade_to_bytes() -> None:
    """A service migration's ``upgrade``: its text columns of the database's collation take "C"."""
    collate_text_columns(source=DATABASE_DEFAULT, target=BYTES)


def downgrade_to_database_default() -> None:
    """The same migration's ``downgrade``: its "C" text columns take the database's collation again."""
    collate_text_columns(source=BYTES, target=DATABASE_DEFAULT)
