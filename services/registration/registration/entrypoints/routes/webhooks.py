"""/webhooks/{salesforce,hubspot,generic}: signed CRM deliveries, stored at the edge, applied once.

A body over ``webhook_max_bytes`` is refused (413) before it is read whole (a declared length over it
is refused unread). Nothing in a request is trusted before its signature over the raw body checks
out; a forged, altered or stale request is refused (401, with a ``WWW-Authenticate`` challenge
naming the signature header) and changes nothing. A verified delivery is parsed
(malformed: 400), stored in the CRM inbox with one statement and answered 202; the crm-sync
worker applies it. Replays are no-ops twice over: the inbox is unique on the delivery id, and the
worker de-duplicates notification/event ids and merges by CRM version.

The three POST routes are declared here as FastAPI routes (so the OpenAPI document describes them),
but :class:`WebhookEdge` answers them first: a pure ASGI layer inside the app's middleware (after
the correlation id, before routing) that runs the very same handler functions on a plain
``Request``, without FastAPI's routing and dependency machinery (most of the per-request CPU at
thousands of deliveries a second). Errors go through the app's own exception handlers, so the
status codes and problem+json bodies are the same either way.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from servicekit.auth import Principal, requires
from servicekit.body_limit import read_capped
from servicekit.openapi import webhook_openapi
from servicekit.problems import Problem
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Receive, Scope, Send

from ...application import crm_queries
from ...application.crm_intake import MalformedDelivery, SignatureRefused
from ...bootstrap import RegistrationContainer
from ...domain.crm import CrmChange
from ..deps import Container, container_of
from ..schemas.crm import CrmDeliveryOut, CrmMappingOut, CrmRecordOut, DeliveryAcceptedOut

router = APIRouter(tags=["webhooks"])
T = TypeVar("T")


def _refuse(exc: SignatureRefused) -> Problem:
    challenge = f'HMAC-SHA256 header="{exc.header}"'
    return Problem(
        401, "Invalid signature", str(exc), kind="invalid-signature", headers={"WWW-Authenticate": challenge}
    )


def _checked(check: Callable[[], T]) -> T:
    """Run a signature check or a parse: a refused signature is 401, a malformed delivery 400."""
    try:
        return check()
    except SignatureRefused as exc:
        raise _refuse(exc) from exc
    except MalformedDelivery as exc:
        raise Problem(400, "Malformed delivery", str(exc)) from exc


async def _body(request: Request, container: RegistrationContainer) -> bytes:
    return await read_capped(request, container.settings.webhook_max_bytes)


def _accepted(delivery_id: str | None, new: bool, changes: list[CrmChange], **extra: Any) -> JSONResponse:
    body = {"delivery_id": delivery_id, "duplicate": not new, "received": len(changes), **extra}
    return JSONResponse(body, status_code=202)


@router.post(
    "/webhooks/salesforce",
    response_class=Response,
    status_code=202,
    openapi_extra=webhook_openapi("X-Signature", media_type="text/xml", success_media_type="text/xml"),
)
async def salesforce(request: Request) -> Response:
    """Outbound message (SOAP) with up to 100 opportunity notifications; answers the SOAP Ack."""
    return await receive_salesforce(request)


async def receive_salesforce(request: Request) -> Response:
    container = container_of(request)
    edge = container.crm_edge
    body = await _body(request, container)
    _checked(lambda: edge.verify_timestamped(request.headers.get("X-Signature"), body, "salesforce"))
    delivery = _checked(lambda: edge.parse_salesforce(body, container.runtime.clock.now()))
    if delivery.organization_id != container.settings.salesforce_org_id:
        raise Problem(403, "Unknown organization", f"organization {delivery.organization_id!r} is not configured")
    changes = delivery.changes
    await edge.store("salesforce", edge.message_id([c.delivery_id for c in changes]), _ordered(changes))
    return Response(edge.salesforce_ack, media_type="text/xml", status_code=202)


@router.post(
    "/webhooks/hubspot",
    status_code=202,
    response_model=DeliveryAcceptedOut,
    openapi_extra=webhook_openapi("X-HubSpot-Signature-v3", "X-HubSpot-Request-Timestamp"),
)
async def hubspot(request: Request) -> JSONResponse:
    """HubSpot webhooks (v3 signature over method, URI, body and timestamp)."""
    return await receive_hubspot(request)


async def receive_hubspot(request: Request) -> JSONResponse:
    container = container_of(request)
    settings, edge = container.settings, container.crm_edge
    body = await _body(request, container)
    _checked(
        lambda: edge.verify_hubspot(
            request.headers.get("X-HubSpot-Signature-v3"),
            request.headers.get("X-HubSpot-Request-Timestamp"),
            method=request.method,
            uri=settings.hubspot_public_url or str(request.url),
            body=body,
        )
    )
    delivery = _checked(lambda: edge.parse_hubspot(body))
    if settings.hubspot_portal_id and delivery.portal_ids - {settings.hubspot_portal_id}:
        raise Problem(403, "Unknown portal", f"portal(s) {sorted(delivery.portal_ids)} are not configured")
    changes = delivery.changes
    if not changes:  # only events about other objects: nothing to apply, nothing to store
        return _accepted(None, True, changes, ignored=delivery.ignored)
    delivery_id = edge.message_id([c.delivery_id for c in changes])
    new = await edge.store("hubspot", delivery_id, _ordered(changes))
    return _accepted(delivery_id, new, changes, ignored=delivery.ignored)


@router.post(
    "/webhooks/generic",
    status_code=202,
    response_model=DeliveryAcceptedOut,
    openapi_extra=webhook_openapi("X-Signature"),
)
async def generic(request: Request) -> JSONResponse:
    """Any CRM: ``X-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">``, 300 s tolerance."""
    return await receive_generic(request)


async def receive_generic(request: Request) -> JSONResponse:
    container = container_of(request)
    edge = container.crm_edge
    body = await _body(request, container)
    _checked(lambda: edge.verify_timestamped(request.headers.get("X-Signature"), body, "generic"))
    delivery = _checked(lambda: edge.parse_generic(body, container.runtime.clock.now()))
    new = await edge.store("generic", delivery.delivery_id, _ordered(delivery.changes))
    return _accepted(delivery.delivery_id, new, delivery.changes)


RECEIVERS: dict[str, Callable[[Request], Awaitable[Response]]] = {
    "/webhooks/salesforce": receive_salesforce,
    "/webhooks/hubspot": receive_hubspot,
    "/webhooks/generic": receive_generic,
}


def route_path(scope: Scope) -> str:
    """The path the router matches (``root_path`` removed), as Starlette computes it."""
    path: str = scope["path"]
    root_path: str = scope.get("root_path", "")
    if root_path and path.startswith(root_path) and path[len(root_path) : len(root_path) + 1] in ("", "/"):
        return path[len(root_path) :]
    return path


class WebhookEdge:
    """Answers ``POST /webhooks/{salesforce,hubspot,generic}`` without FastAPI's routing.

    The receivers are the functions the documented routes call; an exception they raise is answered
    by the handler the app registered for its type (as Starlette's ExceptionMiddleware would), and
    anything without one propagates to the server-error handler (500 problem+json), as before.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        receiver = None
        if scope["type"] == "http" and scope["method"] == "POST":
            receiver = RECEIVERS.get(route_path(scope))
        if receiver is None:
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            response = await receiver(request)
        except ClientDisconnect:
            return  # the client is gone; nothing was stored and there is no one to answer
        except Exception as exc:
            handler = _handler_for(scope["app"], exc)
            if handler is None:
                raise
            response = await handler(request, exc)
        await response(scope, receive, send)


def _handler_for(app: Any, exc: Exception) -> Any:
    handlers = app.exception_handlers
    for cls in type(exc).__mro__:
        if cls is Exception:
            return None  # the catch-all is the server-error middleware's (500), outside this layer
        if cls in handlers:
            return handlers[cls]
    return None


def _ordered(changes: list[CrmChange]) -> list[CrmChange]:
    # Record order within a delivery (stable: one record's changes keep their order).
    return sorted(changes, key=lambda c: c.record_id)


CrmReader = Annotated[Principal, Depends(requires("deals:read", "deals:write"))]


@router.get("/crm/mapping")
async def crm_mapping(principal: CrmReader, container: Container) -> CrmMappingOut:
    """The field and stage mapping in force, per CRM source."""
    return CrmMappingOut.model_validate(container.crm_mappings.describe())


@router.get("/crm/records/{source}/{record_id}")
async def crm_record(source: str, record_id: str, principal: CrmReader, container: Container) -> CrmRecordOut:
    """A CRM record as merged here: latest field values with their versions, and the last outcome."""
    async with container.runtime.uow_factory() as uow:
        found = await crm_queries.crm_record(container.crm_views(uow), source, record_id)
    return CrmRecordOut.model_validate(found, from_attributes=True)


@router.get("/crm/deliveries/{source}/{delivery_id}")
async def crm_delivery(source: str, delivery_id: str, principal: CrmReader, container: Container) -> CrmDeliveryOut:
    """What became of a webhook delivery: pending, applied (with each record's result) or failed."""
    async with container.runtime.uow_factory() as uow:
        found = await crm_queries.crm_delivery(container.crm_views(uow), source, delivery_id)
    return CrmDeliveryOut.model_validate(found, from_attributes=True)
