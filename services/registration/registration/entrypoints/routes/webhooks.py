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

import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from servicekit.auth import Principal, requires
from servicekit.body_limit import read_capped
from servicekit.openapi import documented, webhook_openapi
from servicekit.problems import Problem
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Receive, Scope, Send

from ...adapters import crm_formats, crm_inbox
from ...adapters.signatures import SignatureError, verify_hubspot_v3, verify_timestamped
from ...adapters.unit import SqlRegistrationUnit
from ...domain.crm import CrmChange
from ...domain.errors import NotFound
from ..deps import clock, read
from ..schemas.crm import CrmDeliveryOut, CrmMappingOut, CrmRecordOut, DeliveryAcceptedOut

router = APIRouter(tags=["webhooks"])


def _settings(request: Request) -> Any:
    return request.app.state.settings


def _refuse(exc: Exception, header: str = "X-Signature") -> Problem:
    challenge = f'HMAC-SHA256 header="{header}"'
    return Problem(
        401, "Invalid signature", str(exc), kind="invalid-signature", headers={"WWW-Authenticate": challenge}
    )


async def _body(request: Request) -> bytes:
    return await read_capped(request, _settings(request).webhook_max_bytes)


def _verify_timestamped(request: Request, body: bytes, source: str) -> None:
    """Checks the ``X-Signature`` of a delivery from ``source`` against its secrets; 401 if it fails."""
    settings = _settings(request)
    try:
        verify_timestamped(
            request.headers.get("X-Signature"),
            body,
            settings.webhook_secrets(source),
            now=time.time(),
            tolerance=settings.webhook_tolerance_seconds,
        )
    except SignatureError as exc:
        raise _refuse(exc) from exc


async def _store(request: Request, source: str, delivery_id: str, changes: list[CrmChange]) -> bool:
    """Durably store the verified delivery for the crm-sync worker; True when it is new."""
    writer: crm_inbox.InboxWriter = request.app.state.crm_inbox_writer
    return await writer.store(source, delivery_id, changes)


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
    body = await _body(request)
    settings = _settings(request)
    _verify_timestamped(request, body, "salesforce")
    delivery = _parse(
        lambda: crm_formats.parse_salesforce(
            body, request.app.state.crm_mappings.version_field("salesforce"), clock(request).now()
        )
    )
    if delivery.organization_id != settings.salesforce_org_id:
        raise Problem(403, "Unknown organization", f"organization {delivery.organization_id!r} is not configured")
    changes = delivery.changes
    await _store(request, "salesforce", crm_formats.message_id([c.delivery_id for c in changes]), _ordered(changes))
    return Response(crm_formats.SALESFORCE_ACK, media_type="text/xml", status_code=202)


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
    body = await _body(request)
    settings = _settings(request)
    uri = settings.hubspot_public_url or str(request.url)
    try:
        verify_hubspot_v3(
            request.headers.get("X-HubSpot-Signature-v3"),
            request.headers.get("X-HubSpot-Request-Timestamp"),
            method=request.method,
            uri=uri,
            body=body,
            secrets=settings.webhook_secrets("hubspot"),
            now=time.time(),
            tolerance=settings.webhook_tolerance_seconds,
        )
    except SignatureError as exc:
        raise _refuse(exc, "X-HubSpot-Signature-v3") from exc
    delivery = _parse(lambda: crm_formats.parse_hubspot(body))
    if settings.hubspot_portal_id and delivery.portal_ids - {settings.hubspot_portal_id}:
        raise Problem(403, "Unknown portal", f"portal(s) {sorted(delivery.portal_ids)} are not configured")
    changes = delivery.changes
    if not changes:  # only events about other objects: nothing to apply, nothing to store
        return _accepted(None, True, changes, ignored=delivery.ignored)
    delivery_id = crm_formats.message_id([c.delivery_id for c in changes])
    new = await _store(request, "hubspot", delivery_id, _ordered(changes))
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
    body = await _body(request)
    _verify_timestamped(request, body, "generic")
    delivery = _parse(lambda: crm_formats.parse_generic_delivery(body, clock(request).now()))
    new = await _store(request, "generic", delivery.delivery_id, _ordered(delivery.changes))
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


def _parse(parse: Any) -> Any:
    try:
        return parse()
    except crm_formats.MalformedDelivery as exc:
        raise Problem(400, "Malformed delivery", str(exc)) from exc


@router.get("/crm/mapping", **documented(CrmMappingOut))
async def crm_mapping(
    request: Request, principal: Annotated[Principal, Depends(requires("deals:read", "deals:write"))]
) -> dict[str, Any]:
    """The field and stage mapping in force, per CRM source."""
    return request.app.state.crm_mappings.describe()  # type: ignore[no-any-return]


@router.get("/crm/records/{source}/{record_id}", **documented(CrmRecordOut))
async def crm_record(
    source: str,
    record_id: str,
    request: Request,
    principal: Annotated[Principal, Depends(requires("deals:read", "deals:write"))],
) -> dict[str, Any]:
    """A CRM record as merged here: latest field values with their versions, and the last outcome."""

    async def load(unit: SqlRegistrationUnit) -> dict[str, Any]:
        record = await unit.crm.get(source, record_id)
        if record is None:
            raise NotFound(f"no {source} record {record_id}")
        outcome = await unit.crm.outcome(source, record_id)
        return {
            "source": source,
            "record_id": record_id,
            "deal_id": record.deal_id,
            "fields": record.fields,
            "versions": record.versions,
            "modified_at": record.modified_at,
            "outcome": outcome,
        }

    return await read(request, load)  # type: ignore[no-any-return]


@router.get("/crm/deliveries/{source}/{delivery_id}", **documented(CrmDeliveryOut))
async def crm_delivery(
    source: str,
    delivery_id: str,
    request: Request,
    principal: Annotated[Principal, Depends(requires("deals:read", "deals:write"))],
) -> dict[str, Any]:
    """What became of a webhook delivery: pending, applied (with each record's result) or failed."""

    async def load(unit: SqlRegistrationUnit) -> dict[str, Any]:
        status = await crm_inbox.SqlCrmInbox(unit.uow.conn).status(source, delivery_id)
        if status is None:
            raise NotFound(f"no {source} delivery {delivery_id}")
        return status

    return await read(request, load)  # type: ignore[no-any-return]
