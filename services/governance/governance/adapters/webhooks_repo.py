"""Webhook subscriptions and the delivery log in PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from servicekit.keyset import fetch_page
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from ..application.ports import Page
from ..domain.errors import AlreadyExists
from ..domain.webhooks import Delivery, Published, Subscription
from .tables import webhook_deliveries, webhook_subscriptions


class SqlSubscriptions:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(self, subscription: Subscription) -> None:
        s = subscription
        stmt = insert(webhook_subscriptions).values(
            subscription_id=s.subscription_id, partner_id=s.partner_id, url=s.url, secret=s.secret,
            event_types=list(s.event_types), active=s.active, created_by=s.created_by,
        )  # fmt: skip
        done = await self.conn.execute(stmt.on_conflict_do_nothing().returning(webhook_subscriptions.c.subscription_id))
        if done.scalar() is None:
            raise AlreadyExists(f"subscription {s.subscription_id} already exists")

    async def get(self, subscription_id: str) -> Subscription | None:
        stmt = select(webhook_subscriptions).where(webhook_subscriptions.c.subscription_id == subscription_id)
        row = (await self.conn.execute(stmt)).first()
        return None if row is None else _subscription(row)

    async def deactivate(self, subscription_id: str) -> None:
        stmt = update(webhook_subscriptions).where(webhook_subscriptions.c.subscription_id == subscription_id)
        await self.conn.execute(stmt.values(active=False))

    async def page(self, partner_id: str | None, *, after: int | None, limit: int) -> Page[Subscription]:
        stmt = select(webhook_subscriptions)
        if partner_id is not None:
            stmt = stmt.where(webhook_subscriptions.c.partner_id == partner_id)
        return await fetch_page(
            self.conn, stmt, webhook_subscriptions.c.seq, after=after, limit=limit, convert=_subscription
        )

    async def wanting(self, event_type: str) -> list[Subscription]:
        c = webhook_subscriptions.c
        stmt = select(webhook_subscriptions).where(c.active, c.event_types.any_() == event_type).order_by(c.seq)
        return [_subscription(r) for r in await self.conn.execute(stmt)]


class SqlDeliveries:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def enqueue(self, subscriptions: Sequence[Subscription], event: Published, at: datetime) -> int:
        if not subscriptions:
            return 0
        rows = [
            {"subscription_id": s.subscription_id, "event_id": event.event_id, "event_type": event.event_type,
             "partner_id": event.partner_id, "body": event.body, "status": "pending", "attempts": 0,
             "next_attempt_at": at}
            for s in subscriptions
        ]  # fmt: skip
        stmt = insert(webhook_deliveries).values(rows).on_conflict_do_nothing()
        return len((await self.conn.execute(stmt.returning(webhook_deliveries.c.delivery_id))).all())

    async def due(self, now: datetime, limit: int) -> list[Delivery]:
        c = webhook_deliveries.c
        stmt = (
            select(webhook_deliveries)
            .where(c.status == "pending", c.next_attempt_at <= now)
            .order_by(c.next_attempt_at, c.delivery_id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [_delivery(r) for r in await self.conn.execute(stmt)]

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
    ) -> None:
        stmt = update(webhook_deliveries).where(webhook_deliveries.c.delivery_id == delivery_id)
        await self.conn.execute(
            stmt.values(
                attempts=attempts, status=status, next_attempt_at=retry_at, last_status_code=status_code,
                last_error=error, delivered_at=delivered_at,
            )
        )  # fmt: skip

    async def get(self, delivery_id: int, *, for_update: bool = False) -> Delivery | None:
        stmt = select(webhook_deliveries).where(webhook_deliveries.c.delivery_id == delivery_id)
        if for_update:
            stmt = stmt.with_for_update()
        row = (await self.conn.execute(stmt)).first()
        return None if row is None else _delivery(row)

    async def page(self, subscription_id: str, *, after: int | None, limit: int) -> Page[Delivery]:
        stmt = select(webhook_deliveries).where(webhook_deliveries.c.subscription_id == subscription_id)
        return await fetch_page(
            self.conn, stmt, webhook_deliveries.c.delivery_id, after=after, limit=limit, convert=_delivery
        )


def _subscription(r: Row[Any]) -> Subscription:
    return Subscription(r.subscription_id, r.partner_id, r.url, r.secret, tuple(r.event_types), r.active, r.created_by)


def _delivery(r: Row[Any]) -> Delivery:
    return Delivery(
        r.delivery_id, r.subscription_id, r.event_id, r.event_type, r.partner_id, bytes(r.body), r.status,
        r.attempts, r.next_attempt_at, r.last_status_code, r.last_error, r.delivered_at,
    )  # fmt: skip
