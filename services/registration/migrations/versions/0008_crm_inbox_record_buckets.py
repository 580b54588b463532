"""The CRM inbox records which CRM record lock buckets each delivery touches, so the crm-sync
shards (each owning the records whose bucket modulo the shard count is its index) find their
deliveries without reading every payload.

Revision ID: 0008
Revises: 0007

Pending rows are filled in here; a row left NULL (stored by an edge older than this revision)
counts as touching every shard, so it is applied only once every shard caught up to it.
"""

import json
import zlib

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


CRM_LOCK_BUCKETS = 1024  # as adapters/unit.py crm_lock_bucket (frozen here with this revision)


def _buckets(source: str, payload: str) -> str:
    changes = json.loads(payload)["changes"]
    buckets = sorted({zlib.crc32(f"{source}:{c['record_id']}".encode()) % CRM_LOCK_BUCKETS for c in changes})
    return "{" + ",".join(map(str, buckets)) + "}"


def upgrade() -> None:
    op.add_column("crm_inbox", sa.Column("record_buckets", ARRAY(sa.SmallInteger)))
    conn = op.get_bind()
    pending = conn.execute(
        sa.text("SELECT id, source, payload::text AS payload FROM crm_inbox WHERE processed_at IS NULL")
    ).all()
    for row in pending:
        conn.execute(
            sa.text("UPDATE crm_inbox SET record_buckets = CAST(:b AS smallint[]) WHERE id = :id"),
            {"id": row.id, "b": _buckets(row.source, row.payload)},
        )


def downgrade() -> None:
    op.drop_column("crm_inbox", "record_buckets")
