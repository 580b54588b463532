"""CRM records (merged field values with versions) and received webhook deliveries."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from ..domain.crm import CrmRecord
from .tables import crm_records, webhook_deliveries


class SqlCrmRecords:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get(self, source: str, record_id: str) -> CrmRecord | None:
        stmt = select(crm_records).where(crm_records.c.source == source, crm_records.c.record_id == record_id)
        row = (await self.conn.execute(stmt)).first()
        return None if row is None else to_record(row)

    async def save(self, record: CrmRecord, outcome: str) -> None:
        values = {
            "deal_id": record.deal_id,
            "fields": record.fields,
            "versions": record.versions,
            "modified_at": record.modified_at,
            "outcome": outcome[:1000],
        }
        stmt = insert(crm_records).values(source=record.source, record_id=record.record_id, **values)
        await self.conn.execute(stmt.on_conflict_do_update(index_elements=["source", "record_id"], set_=values))

    async def claim_delivery(self, source: str, delivery_id: str, record_id: str) -> bool:
        """True the first time a delivery id is seen for the source."""
        stmt = (
            insert(webhook_deliveries)
            .values(source=source, delivery_id=delivery_id, record_id=record_id)
            .on_conflict_do_nothing(index_elements=["source", "delivery_id"])
            .returning(webhook_deliveries.c.delivery_id)
        )
        return (await self.conn.execute(stmt)).scalar() is not None

    async def set_delivery_outcome(self, source: str, delivery_id: str, outcome: str) -> None:
        await self.conn.execute(
            update(webhook_deliveries)
            .where(webhook_deliveries.c.source == source, webhook_deliveries.c.delivery_id == delivery_id)
            .values(outcome=outcome[:1000])
        )

    async def outcome(self, source: str, record_id: str) -> str | None:
        stmt = select(crm_records.c.outcome).where(crm_records.c.source == source, crm_records.c.record_id == record_id)
        return (await self.conn.execute(stmt)).scalar()


def to_record(row: Any) -> CrmRecord:
    return CrmRecord(
        source=row.source,
        record_id=row.record_id,
        deal_id=row.deal_id,
        fields=dict(row.fields),
        versions={k: int(v) for k, v in row.versions.items()},
        modified_at=row.modified_at,
    )
