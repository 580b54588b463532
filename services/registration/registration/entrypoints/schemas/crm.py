"""Bodies of the CRM routes: webhook acknowledgements, the mapping, merged records, deliveries."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, RootModel


class DeliveryAcceptedOut(BaseModel):
    """A verified delivery, stored for the crm-sync worker (``duplicate``: stored before)."""

    delivery_id: str | None
    duplicate: bool
    received: int
    ignored: int | None = None  # HubSpot: events of object types this service does not read


class CrmSourceMappingOut(BaseModel):
    fields: dict[str, str]  # canonical field -> the CRM's field
    stages: dict[str, str]  # the CRM's stage -> stage, won or lost
    version_field: str | None
    default_currency: str | None


class CrmMappingOut(RootModel[dict[str, CrmSourceMappingOut]]):
    """The mapping in force, per CRM source."""


class CrmRecordOut(BaseModel):
    source: str
    record_id: str
    deal_id: str
    fields: dict[str, str | None]
    versions: dict[str, int]
    modified_at: datetime | None
    outcome: str | None


class CrmDeliveryOut(BaseModel):
    source: str
    delivery_id: str
    status: str  # pending, applied, or the worker's outcome status
    received_at: datetime
    processed_at: datetime | None
    outcome: dict[str, Any] | None


class ExpiredOut(BaseModel):
    as_of: date
    expired: list[str]
