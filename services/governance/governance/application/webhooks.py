"""Outbound webhook use cases: subscribe, unsubscribe, offer consumed events to the subscriptions,
deliver what is due (signed, retried with backoff), read the delivery log, re-deliver on request."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ..domain.errors import NotFound
from ..domain.webhooks import (
    Delivery,
    Published,
    RetryPolicy,
    Subscription,
    after_attempt,
    receives,
    require_valid,
    signature,
)
from .ports import Page
from .webhook_ports import Sender, WebhookUnit


@dataclass(frozen=True)
class Subscribe:
    subscription_id: str
    partner_id: str | None
    url: str
    event_types: tuple[str, ...]
    by: str


async def subscribe(unit: WebhookUnit, command: Subscribe, *, production: bool) -> Subscription:
    """A new subscription with a fresh signing secret (shown once, in the answer)."""
    require_valid(list(command.event_types), command.url, production=production)
    subscription = Subscription(
        command.subscription_id, command.partner_id, command.url, secrets.token_hex(32),
        tuple(dict.fromkeys(command.event_types)), True, command.by,
    )  # fmt: skip
    await unit.subscriptions.add(subscription)
    return subscription


async def own_subscription(unit: WebhookUnit, subscription_id: str, *, partner_id: str | None) -> Subscription:
    """The subscription, or NotFound (also another partner's, or a finance system's, for a partner)."""
    found = await unit.subscriptions.get(subscription_id)
    if found is None or (partner_id is not None and found.partner_id != partner_id):
        raise NotFound(f"subscription {subscription_id} not found")
    return found


async def unsubscribe(unit: WebhookUnit, subscription_id: str, *, partner_id: str | None) -> Subscription:
    await own_subscription(unit, subscription_id, partner_id=partner_id)
    await unit.subscriptions.deactivate(subscription_id)
    return await own_subscription(unit, subscription_id, partner_id=partner_id)


async def offer(unit: WebhookUnit, events: Sequence[Published], at: datetime) -> int:
    """Queue each event for the subscriptions that want it and may see it (never another partner's)."""
    queued = 0
    for event in events:
        wanting = await unit.subscriptions.wanting(event.event_type)
        allowed = [s for s in wanting if receives(s.partner_id, event.partner_id)]
        queued += await unit.deliveries.enqueue(allowed, event, at)
    return queued


async def deliver_due(unit: WebhookUnit, sender: Sender, now: datetime, policy: RetryPolicy, limit: int = 50) -> int:
    """Try every due delivery once; how many were delivered."""
    delivered = 0
    for delivery in await unit.deliveries.due(now, limit):
        subscription = await unit.subscriptions.get(delivery.subscription_id)
        assert subscription is not None
        delivered += await _attempt(unit, sender, subscription, delivery, now, policy)
    return delivered


async def _attempt(
    unit: WebhookUnit,
    sender: Sender,
    subscription: Subscription,
    delivery: Delivery,
    now: datetime,
    policy: RetryPolicy,
) -> int:
    headers = {
        "Content-Type": "application/cloudevents+json",
        "X-Signature": signature(subscription.secret, delivery.body, int(now.timestamp())),
        "X-Delivery-Id": str(delivery.delivery_id),
        "X-Event-Type": delivery.event_type,
    }
    status_code: int | None = None
    error: str | None = None
    if not subscription.active:
        error = "the subscription was cancelled"
    else:
        try:
            status_code = await sender.send(subscription.url, delivery.body, headers)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
    ok = status_code is not None and 200 <= status_code < 300
    attempts = delivery.attempts + 1
    outcome = after_attempt(attempts, ok, now, policy)
    if error is None and not ok:
        error = f"answered {status_code}"
    await unit.deliveries.record(
        delivery.delivery_id, attempts=attempts, status=outcome.status, retry_at=outcome.retry_at,
        status_code=status_code, error=None if ok else error, delivered_at=now if ok else None,
    )  # fmt: skip
    return 1 if ok else 0


async def delivery_log(
    unit: WebhookUnit, subscription_id: str, *, partner_id: str | None, after: int | None, limit: int
) -> Page[Delivery]:
    await own_subscription(unit, subscription_id, partner_id=partner_id)
    return await unit.deliveries.page(subscription_id, after=after, limit=limit)


async def redeliver(unit: WebhookUnit, delivery_id: int, now: datetime, *, partner_id: str | None) -> Delivery:
    """Queue a delivery again (delivered or failed alike), due now, with its attempts kept."""
    delivery = await unit.deliveries.get(delivery_id, for_update=True)
    if delivery is None:
        raise NotFound(f"delivery {delivery_id} not found")
    await own_subscription(unit, delivery.subscription_id, partner_id=partner_id)
    await unit.deliveries.record(
        delivery_id, attempts=delivery.attempts, status="pending", retry_at=now,
        status_code=delivery.last_status_code, error=delivery.last_error, delivered_at=delivery.delivered_at,
    )  # fmt: skip
    found = await unit.deliveries.get(delivery_id)
    assert found is not None
    return found
