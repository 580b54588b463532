"""What the use cases need from the outside world (implemented in adapters/)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from incentive_contracts.payload import EventPayload

from ..domain.deal import Deal
from ..domain.partner import Partner


class Partners(Protocol):
    async def get(self, partner_id: str, *, for_update: bool = False) -> Partner | None: ...
    async def save(self, partner: Partner) -> None: ...


class Deals(Protocol):
    async def get(self, deal_id: str, *, for_update: bool = False) -> Deal | None: ...
    async def save(self, deal: Deal) -> None: ...


class Clock(Protocol):
    def now(self) -> datetime: ...


class RegistrationUnit(Protocol):
    """One transaction: repositories plus the outbox (``publish``)."""

    partners: Partners
    deals: Deals
    clock: Clock

    def publish(self, payload: EventPayload, *, time: datetime) -> str: ...
