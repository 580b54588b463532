"""The governance service's text columns compare by bytes (``COLLATE "C"``, ADR 0009).

Its keys (partner, stream, subscription, fact and audit item ids, topics) are never ordered for a
reader's language. The indexes on the changed columns are rebuilt while their tables are locked
(deploy/RUNBOOK.md); the downgrade gives the columns the database's default collation back.

Revision ID: 0006
Revises: 0005
"""

from servicekit.text_collation import downgrade_to_database_default as downgrade
from servicekit.text_collation import upgrade_to_bytes as upgrade

__all__ = ["downgrade", "upgrade"]  # what Alembic calls
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None
