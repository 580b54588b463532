"""The read side of the CRM edge: a record as merged here, and what became of a delivery."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from ..domain.errors import NotFound


@dataclass(frozen=True)
class CrmRecordView:
    """A CRM record as merged here: latest field values with their versions, and the last outcome."""

    source: str
    record_id: str
    deal_id: str
    fields: dict[str, str | None]
    versions: dict[str, int]
    modified_at: datetime | None
    outcome: str | None


@dataclass(frozen=True)
class CrmDeliveryView:
    """A stored webhook delivery: pending, applied (with each record's result) or failed."""

    source: str
    delivery_id: str
    status: str
    received_at: datetime
    processed_at: datetime | None
    outcome: dict[str, Any] | None


class CrmViews(Protocol):
    """The query port of the CRM edge (implemented in adapters/)."""

    async def record(self, source: str, record_id: str) -> CrmRecordView | None: ...
    async def delivery(self, source: str, delivery_id: str) -> CrmDeliveryView | None: ...


async def crm_record(views: CrmViews, source: str, record_id: str) -> CrmRecordView:
    found = await views.record(source, record_id)
    if found is None:
        raise NotFound(f"no {source} record {record_id}")
    return found


async def crm_delivery(views: CrmViews, source: str, delivery_id: str) -> CrmDeliveryView:
    found = await views.delivery(source, delivery_id)
    if found is None:
        raise NotFound(f"no {source} delivery {delivery_id}")
    return found
