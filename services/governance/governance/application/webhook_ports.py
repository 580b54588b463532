"""What the webhook use cases need: subscriptions, the delivery log, and a way to send."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from incentive_kernel.paging import Page

from ..domain.webhooks import Delivery, Published, Subscription


class Subscriptions(Protocol):
    async def add(self, subscription: Subscription) -> None:
        """AlreadyExists when the id is taken."""
        ...

    async def get(self, subscription_id: str) -> Subscription | None: ...
    async def deactivate(self, subscription_id: str) -> None: ...
    async def page(self, partner_id: str | None, *, after: int | None, limit: int) -> Page[Subscription]: ...
    async def wanting(self, event_type: str) -> list[Subscription]:
        """Active subscriptions to ``event_type``."""
        ...


class Deliveries(Protocol):
    async def enqueue(self, subscriptions: Sequence[Subscription], event: Published, at: datetime) -> int:
        """One pending delivery per subscription (once per subscription and event); how many were new."""
        ...

    async def due(self, now: datetime, limit: int) -> list[Delivery]:
        """Pending deliveries due by ``now``, locked (others skip them), oldest first."""
        ...

    async def record(
        self,
        delivery_id: int,
        *,
        attempts: int,
        status: str,
        retry_at: datetime | None,
        status_code: int | None,
        error: str | None,
        delivered_at: datetime | None,
    ) -> None: ...

    async def get(self, delivery_id: int, *, for_update: bool = False) -> Delivery | None: ...
    async def page(self, subscription_id: str, *, after: int | None, limit: int) -> Page[Delivery]: ...


class Sender(Protocol):
    async def send(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        """POST ``body``; the response status (raises OSError-like errors when nothing answered)."""
        ...


class WebhookUnit(Protocol):
    subscriptions: Subscriptions
    deliveries: Deliveries
