"""/engagements: commitment activities (reviews, plans, enablement, certifications, joint marketing)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from incentive_contracts.dates import BusinessDate
from incentive_contracts.events.engagement import EngagementKind
from servicekit.auth import Principal, requires

from ...application import engagements as cases
from ...application.ports import EngagementQuery
from ...domain.engagement import RecordEngagement
from ...domain.errors import NotFound
from ..deps import PARTNER_WRITE_SCOPES, READ_SCOPES, Container, Unit, actor, read, write
from ..schemas.common import PageOut
from ..schemas.engagements import EngagementOut, RecordEngagementBody

router = APIRouter(prefix="/engagements", tags=["engagements"])
Reader = Annotated[Principal, Depends(requires(*READ_SCOPES, partner_bound="confine"))]


@router.post("", status_code=201, response_model=EngagementOut)
async def record_engagement(
    body: RecordEngagementBody,
    request: Request,
    principal: Annotated[Principal, Depends(requires(*PARTNER_WRITE_SCOPES, partner_bound="confine"))],
    container: Container,
) -> JSONResponse:
    principal.require_partner(body.partner_id)
    command = RecordEngagement(
        engagement_id=body.engagement_id,
        partner_id=body.partner_id,
        kind=body.kind,
        occurred_on=body.occurred_on,
        evidence_ref=body.evidence_ref,
        today=container.today(),
    )

    async def action(unit: Unit) -> tuple[int, EngagementOut]:
        return 201, EngagementOut.of(await cases.record_engagement(unit, command, actor=actor(principal)))

    return await write(request, principal, container, action)


@router.get("")
async def list_engagements(
    principal: Reader,
    container: Container,
    partner_id: str | None = None,
    kind: EngagementKind | None = None,
    occurred_from: BusinessDate | None = None,
    occurred_to: BusinessDate | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> PageOut[EngagementOut]:
    if principal.partner_id is not None:
        if partner_id not in (None, principal.partner_id):
            return PageOut(items=[], next_cursor=None)
        partner_id = principal.partner_id
    query = EngagementQuery(
        partner_id=partner_id,
        kind=kind,
        occurred_from=occurred_from,
        occurred_to=occurred_to,
        cursor=cursor,
        limit=limit,
    )
    page = await read(container, lambda unit: cases.list_engagements(unit, query))
    return PageOut(items=[EngagementOut.of(e) for e in page.items], next_cursor=page.next_cursor)


@router.get("/{engagement_id}")
async def get_engagement(engagement_id: str, principal: Reader, container: Container) -> EngagementOut:
    engagement = await read(container, lambda unit: cases.get_engagement(unit, engagement_id))
    if not principal.can_see_partner(engagement.partner_id):
        raise NotFound(f"engagement {engagement_id} not found")
    return EngagementOut.of(engagement)
