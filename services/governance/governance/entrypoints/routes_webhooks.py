"""Outbound webhooks: subscriptions (a partner's own, or a finance system's), the delivery log and
re-delivery. Deliveries themselves are sent by ``governance deliver-webhooks``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from servicekit.idempotency import run_write
from servicekit.pagination import decode_int_cursor
from servicekit.unit_of_work import UnitOfWork

from ..application import webhooks as cases
from ..domain.errors import NotFound
from .deps import Container, Reader, Writer, page_limit
from .schemas_webhooks import (
    DeliveryOut,
    DeliveryPage,
    NewSubscriptionOut,
    SubscribeBody,
    SubscriptionOut,
    SubscriptionPage,
)

router = APIRouter(tags=["webhooks"])
DeliveryId = Annotated[str, Path(max_length=20, description="the delivery's number (from the delivery log)")]


@router.post("/subscriptions", status_code=201, response_model=NewSubscriptionOut)
async def subscribe(body: SubscribeBody, request: Request, principal: Writer, container: Container) -> JSONResponse:
    """Subscribe a URL to event types; the answer carries the signing secret (X-Signature: t=..,v1=..)."""
    command = cases.Subscribe(
        body.subscription_id, principal.confine(body.partner_id), body.url, tuple(body.event_types), principal.actor
    )
    production = container.settings.environment == "production"

    async def action(uow: UnitOfWork) -> tuple[int, NewSubscriptionOut]:
        done = await cases.subscribe(container.unit(uow), command, production=production)
        return 201, NewSubscriptionOut.created(done)

    return await run_write(request, principal, container.runtime.uow_factory, action)


@router.delete("/subscriptions/{subscription_id}", response_model=SubscriptionOut)
async def unsubscribe(subscription_id: str, request: Request, principal: Writer, container: Container) -> JSONResponse:
    """Stop deliveries (the log stays)."""

    async def action(uow: UnitOfWork) -> tuple[int, SubscriptionOut]:
        done = await cases.unsubscribe(container.unit(uow), subscription_id, partner_id=principal.partner_id)
        return 200, SubscriptionOut.of(done)

    return await run_write(request, principal, container.runtime.uow_factory, action)


@router.get("/subscriptions")
async def list_subscriptions(
    principal: Reader,
    container: Container,
    partner_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> SubscriptionPage:
    async with container.runtime.uow_factory() as uow:
        page = await container.unit(uow).subscriptions.page(
            principal.confine(partner_id), after=decode_int_cursor(cursor), limit=page_limit(container, limit)
        )
    return SubscriptionPage(items=[SubscriptionOut.of(s) for s in page.items], next_cursor=page.next_cursor)


@router.get("/subscriptions/{subscription_id}/deliveries")
async def deliveries(
    subscription_id: str,
    principal: Reader,
    container: Container,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> DeliveryPage:
    """The delivery log: every event offered, its status, attempts and last answer."""
    async with container.runtime.uow_factory() as uow:
        page = await cases.delivery_log(
            container.unit(uow), subscription_id, partner_id=principal.partner_id,
            after=decode_int_cursor(cursor), limit=page_limit(container, limit),
        )  # fmt: skip
    return DeliveryPage(items=[DeliveryOut.of(d) for d in page.items], next_cursor=page.next_cursor)


@router.post("/deliveries/{delivery_id}/redeliver", response_model=DeliveryOut)
async def redeliver(delivery_id: DeliveryId, request: Request, principal: Writer, container: Container) -> JSONResponse:
    """Queue a delivery again, due now."""

    if not delivery_id.isdecimal() or not 1 <= int(delivery_id) < 2**62:
        raise NotFound(f"delivery {delivery_id} not found")
    number = int(delivery_id)

    async def action(uow: UnitOfWork) -> tuple[int, DeliveryOut]:
        now = container.runtime.clock.now()
        done = await cases.redeliver(container.unit(uow), number, now, partner_id=principal.partner_id)
        return 200, DeliveryOut.of(done)

    return await run_write(request, principal, container.runtime.uow_factory, action)
