"""MDF requests: the aggregate row, with its plan (expected results, milestones) as JSONB."""

from __future__ import annotations

from decimal import Decimal

from incentive_contracts.events.mdf import ExpectedResults
from servicekit.keyset import fetch_page
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from ..application.ports import Page, RequestFilter
from ..domain.errors import AlreadyExists
from ..domain.milestones import MilestonePlan
from ..domain.request import MdfRequest, RequestStatus
from .amounts import maybe_stored, stored
from .tables import requests

OPEN = (RequestStatus.SUBMITTED.value, RequestStatus.APPROVED.value)


class SqlRequests:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get(self, request_id: str, *, for_update: bool = False) -> MdfRequest | None:
        stmt = select(requests).where(requests.c.request_id == request_id)
        if for_update:
            stmt = stmt.with_for_update()
        row = (await self.conn.execute(stmt)).first()
        return None if row is None else _request(row)

    async def add(self, request: MdfRequest) -> None:
        stmt = insert(requests).values(request_id=request.request_id, **_values(request)).on_conflict_do_nothing()
        if (await self.conn.execute(stmt.returning(requests.c.request_id))).scalar() is None:
            raise AlreadyExists(f"request {request.request_id} already exists")

    async def save(self, request: MdfRequest) -> None:
        values = _values(request)
        stmt = insert(requests).values(request_id=request.request_id, **values)
        await self.conn.execute(stmt.on_conflict_do_update(index_elements=["request_id"], set_=values))

    async def open_in_period(self, period: str) -> list[MdfRequest]:
        stmt = (
            select(requests)
            .where(requests.c.period == period, requests.c.status.in_(OPEN))
            .order_by(requests.c.request_id)
            .with_for_update()
        )
        return [_request(r) for r in await self.conn.execute(stmt)]

    async def list(self, where: RequestFilter, *, after: int | None, limit: int) -> Page[MdfRequest]:
        stmt = select(requests)
        if where.partner_id is not None:
            stmt = stmt.where(requests.c.partner_id == where.partner_id)
        if where.period is not None:
            stmt = stmt.where(requests.c.period == where.period)
        if where.statuses:
            stmt = stmt.where(requests.c.status.in_([s.value for s in where.statuses]))
        if where.activity_type is not None:
            stmt = stmt.where(requests.c.activity_type == where.activity_type)
        return await fetch_page(self.conn, stmt, requests.c.seq, after=after, limit=limit, convert=_request)


def _values(r: MdfRequest) -> dict[str, object]:
    return {
        "partner_id": r.partner_id,
        "period": r.period,
        "currency": r.currency,
        "activity_type": r.activity_type,
        "title": r.title,
        "planned_cost": r.planned_cost,
        "requested_amount": r.requested_amount,
        "partner_share": r.partner_share,
        "starts_on": r.starts_on,
        "ends_on": r.ends_on,
        "expected": r.expected.model_dump(mode="json"),
        "milestones": [{"name": m.name, "trigger": m.trigger, "percent": format(m.percent, "f")} for m in r.milestones],
        "submitted_on": r.submitted_on,
        "submitted_by": r.submitted_by,
        "status": r.status.value,
        "approved_amount": r.approved_amount,
        "approved_on": r.approved_on,
        "approved_by": r.approved_by,
        "claim_deadline": r.claim_deadline,
        "reserved": r.reserved,
        "disbursed": r.disbursed,
        "claimed_amount": r.claimed_amount,
        "open_claim_id": r.open_claim_id,
        "status_reason": r.status_reason,
        "status_changed_on": r.status_changed_on,
    }


def _request(row: Row) -> MdfRequest:  # type: ignore[type-arg]
    return MdfRequest(
        request_id=row.request_id,
        partner_id=row.partner_id,
        period=row.period,
        currency=row.currency,
        activity_type=row.activity_type,
        title=row.title,
        planned_cost=stored(row.planned_cost, row.currency),
        requested_amount=stored(row.requested_amount, row.currency),
        partner_share=row.partner_share,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        expected=ExpectedResults.model_validate(row.expected),
        milestones=tuple(MilestonePlan(m["name"], m["trigger"], Decimal(m["percent"])) for m in row.milestones),
        submitted_on=row.submitted_on,
        submitted_by=row.submitted_by,
        status=RequestStatus(row.status),
        approved_amount=maybe_stored(row.approved_amount, row.currency),
        approved_on=row.approved_on,
        approved_by=row.approved_by,
        claim_deadline=row.claim_deadline,
        reserved=stored(row.reserved, row.currency),
        disbursed=stored(row.disbursed, row.currency),
        claimed_amount=maybe_stored(row.claimed_amount, row.currency),
        open_claim_id=row.open_claim_id,
        status_reason=row.status_reason,
        status_changed_on=row.status_changed_on,
    )
