"""Claims, with proof items and results as JSONB."""

from __future__ import annotations

from incentive_contracts.events.mdf import CampaignResults, ProofItem
from servicekit.keyset import fetch_page
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from ..application.ports import ClaimFilter, Page
from ..domain.claim import Claim, ClaimStatus
from ..domain.errors import AlreadyExists
from .amounts import maybe_stored, stored
from .tables import claims


class SqlClaims:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get(self, claim_id: str, *, for_update: bool = False) -> Claim | None:
        stmt = select(claims).where(claims.c.claim_id == claim_id)
        if for_update:
            stmt = stmt.with_for_update()
        row = (await self.conn.execute(stmt)).first()
        return None if row is None else _claim(row)

    async def add(self, claim: Claim) -> None:
        stmt = insert(claims).values(claim_id=claim.claim_id, **_values(claim)).on_conflict_do_nothing()
        if (await self.conn.execute(stmt.returning(claims.c.claim_id))).scalar() is None:
            raise AlreadyExists(f"claim {claim.claim_id} already exists")

    async def save(self, claim: Claim) -> None:
        values = _values(claim)
        stmt = insert(claims).values(claim_id=claim.claim_id, **values)
        await self.conn.execute(stmt.on_conflict_do_update(index_elements=["claim_id"], set_=values))

    async def list(self, where: ClaimFilter, *, after: int | None, limit: int) -> Page[Claim]:
        stmt = select(claims)
        if where.partner_id is not None:
            stmt = stmt.where(claims.c.partner_id == where.partner_id)
        if where.period is not None:
            stmt = stmt.where(claims.c.period == where.period)
        if where.statuses:
            stmt = stmt.where(claims.c.status.in_([s.value for s in where.statuses]))
        if where.request_id is not None:
            stmt = stmt.where(claims.c.request_id == where.request_id)
        return await fetch_page(self.conn, stmt, claims.c.seq, after=after, limit=limit, convert=_claim)


def _values(claim: Claim) -> dict[str, object]:
    return {
        "request_id": claim.request_id,
        "partner_id": claim.partner_id,
        "period": claim.period,
        "currency": claim.currency,
        "claimed_amount": claim.claimed_amount,
        "actual_cost": claim.actual_cost,
        "invoice_ref": claim.invoice_ref,
        "proof": [p.model_dump(mode="json") for p in claim.proof],
        "results": claim.results.model_dump(mode="json"),
        "submitted_on": claim.submitted_on,
        "submitted_by": claim.submitted_by,
        "status": claim.status.value,
        "approved_amount": claim.approved_amount,
        "decided_on": claim.decided_on,
        "decided_by": claim.decided_by,
        "decision_reason": claim.decision_reason,
    }


def _claim(row: Row) -> Claim:  # type: ignore[type-arg]
    return Claim(
        claim_id=row.claim_id,
        request_id=row.request_id,
        partner_id=row.partner_id,
        period=row.period,
        currency=row.currency,
        claimed_amount=stored(row.claimed_amount, row.currency),
        actual_cost=stored(row.actual_cost, row.currency),
        invoice_ref=row.invoice_ref,
        proof=tuple(ProofItem.model_validate(p) for p in row.proof),
        results=CampaignResults.model_validate(row.results),
        submitted_on=row.submitted_on,
        submitted_by=row.submitted_by,
        status=ClaimStatus(row.status),
        approved_amount=maybe_stored(row.approved_amount, row.currency),
        decided_on=row.decided_on,
        decided_by=row.decided_by,
        decision_reason=row.decision_reason,
    )
