"""/webhooks/{salesforce,hubspot,generic}: signed CRM deliveries, applied once, in any order.

Nothing in a request is trusted before its signature over the raw body checks out; a forged,
altered or stale request is refused (401) and changes nothing. Deliveries are de-duplicated on
their notification/event ids and merged by CRM version, so replays change nothing either.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from servicekit.auth import Principal, requires
from servicekit.problems import Problem

from ...adapters import crm_formats
from ...adapters.signatures import SignatureError, verify_hubspot_v3, verify_timestamped
from ...adapters.unit import SqlRegistrationUnit
from ...application.crm_sync import Outcome, apply_changes
from ...domain.crm import CrmChange
from ...domain.errors import NotFound
from ..deps import clock, policy, read

router = APIRouter(tags=["webhooks"])


def _settings(request: Request) -> Any:
    return request.app.state.settings


def _refuse(exc: Exception) -> Problem:
    return Problem(401, "Invalid signature", str(exc), kind="invalid-signature")


async def _apply(request: Request, source: str, changes: list[CrmChange]) -> list[Outcome]:
    mappings = request.app.state.crm_mappings
    async with request.app.state.uow_factory() as uow:
        unit = SqlRegistrationUnit(uow, clock(request))
        outcomes = await apply_changes(unit, source, changes, mappings.mapping(source), policy(request))
        await uow.commit()
    return outcomes


def _summary(outcomes: list[Outcome]) -> dict[str, Any]:
    return {
        "received": len(outcomes),
        "outcomes": [
            {
                "delivery_id": o.delivery_id,
                "record_id": o.record_id,
                "result": o.result,
                "detail": o.detail,
                "deal_id": o.deal_id,
            }
            for o in outcomes
        ],
    }


@router.post("/webhooks/salesforce", response_class=Response)
async def salesforce(request: Request) -> Response:
    """Outbound message (SOAP) with up to 100 opportunity notifications; answers the SOAP Ack."""
    body = await request.body()
    settings = _settings(request)
    try:
        verify_timestamped(
            request.headers.get("X-Signature"),
            body,
            settings.webhook_secrets("salesforce"),
            now=time.time(),
            tolerance=settings.webhook_tolerance_seconds,
        )
    except SignatureError as exc:
        raise _refuse(exc) from exc
    delivery = _parse(
        lambda: crm_formats.parse_salesforce(
            body, request.app.state.crm_mappings.version_field("salesforce"), clock(request).now()
        )
    )
    if delivery.organization_id != settings.salesforce_org_id:
        raise Problem(403, "Unknown organization", f"organization {delivery.organization_id!r} is not configured")
    await _apply(request, "salesforce", sorted(delivery.changes, key=lambda c: c.record_id))
    return Response(crm_formats.SALESFORCE_ACK, media_type="text/xml")


@router.post("/webhooks/hubspot")
async def hubspot(request: Request) -> JSONResponse:
    """HubSpot webhooks (v3 signature over method, URI, body and timestamp)."""
    body = await request.body()
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
        raise _refuse(exc) from exc
    delivery = _parse(lambda: crm_formats.parse_hubspot(body))
    if settings.hubspot_portal_id and delivery.portal_ids - {settings.hubspot_portal_id}:
        raise Problem(403, "Unknown portal", f"portal(s) {sorted(delivery.portal_ids)} are not configured")
    outcomes = await _apply(request, "hubspot", sorted(delivery.changes, key=lambda c: c.record_id))
    return JSONResponse({**_summary(outcomes), "ignored": delivery.ignored})


@router.post("/webhooks/generic")
async def generic(request: Request) -> JSONResponse:
    """Any CRM: ``X-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">``, 300 s tolerance."""
    body = await request.body()
    settings = _settings(request)
    try:
        verify_timestamped(
            request.headers.get("X-Signature"),
            body,
            settings.webhook_secrets("generic"),
            now=time.time(),
            tolerance=settings.webhook_tolerance_seconds,
        )
    except SignatureError as exc:
        raise _refuse(exc) from exc
    changes = _parse(lambda: crm_formats.parse_generic(body, clock(request).now()))
    outcomes = await _apply(request, "generic", sorted(changes, key=lambda c: c.record_id))
    return JSONResponse(_summary(outcomes))


def _parse(parse: Any) -> Any:
    try:
        return parse()
    except crm_formats.MalformedDelivery as exc:
        raise Problem(400, "Malformed delivery", str(exc)) from exc


@router.get("/crm/mapping")
async def crm_mapping(
    request: Request, principal: Annotated[Principal, Depends(requires("deals:read", "deals:write"))]
) -> dict[str, Any]:
    """The field and stage mapping in force, per CRM source."""
    return request.app.state.crm_mappings.describe()  # type: ignore[no-any-return]


@router.get("/crm/records/{source}/{record_id}")
async def crm_record(
    source: str,
    record_id: str,
    request: Request,
    principal: Annotated[Principal, Depends(requires("deals:read", "deals:write"))],
) -> dict[str, Any]:
    """A CRM record as merged here: latest field values with their versions, and the last outcome."""
    if principal.partner_id is not None:
        raise NotFound("no such record")

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
