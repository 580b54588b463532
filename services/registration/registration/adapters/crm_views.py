"""The CRM edge's query port in SQL: merged records (crm_records) and stored deliveries (crm_inbox)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from ..application.crm_queries import CrmDeliveryView, CrmRecordView
from .crm_inbox import SqlCrmInbox
from .crm_repo import SqlCrmRecords


class SqlCrmViews:
    def __init__(self, conn: AsyncConnection) -> None:
        self.records = SqlCrmRecords(conn)
        self.inbox = SqlCrmInbox(conn)

    async def record(self, source: str, record_id: str) -> CrmRecordView | None:
        record = await self.records.get(source, record_id)
        if record is None:
            return None
        return CrmRecordView(
            source=source,
            record_id=record_id,
            deal_id=record.deal_id,
            fields=record.fields,
            versions=record.versions,
            modified_at=record.modified_at,
            outcome=await self.records.outcome(source, record_id),
        )

    async def delivery(self, source: str, delivery_id: str) -> CrmDeliveryView | None:
        status = await self.inbox.status(source, delivery_id)
        return None if status is None else CrmDeliveryView(**status)
