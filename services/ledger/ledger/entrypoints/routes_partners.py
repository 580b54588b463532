"""A partner's money: balances (now or as of a time), statements (JSON or CSV) and tier."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import PlainTextResponse, Response
from incentive_contracts.dates import BusinessDate, BusinessDateTime
from pydantic import BaseModel, Field
from servicekit.auth import Principal, requires
from servicekit.openapi import TEXT_CSV, documented
from servicekit.problems import Problem

from ..application.reports import AccountBalance, FundTotals, build_statement, partner_view, statement_csv
from .deps import Queries
from .response_docs import TierOut

router = APIRouter(tags=["partners"])
READERS = requires("ledger:read", "finance:read", "audit:read", "partner:read", partner_bound="confine")


class AccountOut(BaseModel):
    account: str
    purpose: str
    fund: str
    category: str
    currency: str
    balance: Decimal

    @classmethod
    def of(cls, a: AccountBalance) -> AccountOut:
        return cls(
            account=a.account,
            purpose=a.purpose,
            fund=a.fund,
            category=a.category,
            currency=a.currency,
            balance=a.balance,
        )


class TotalsOut(BaseModel):
    fund: str
    currency: str
    available: Decimal
    held: Decimal
    pending: Decimal
    paid: Decimal
    capped: Decimal

    @classmethod
    def of(cls, t: FundTotals) -> TotalsOut:
        return cls(
            fund=t.fund,
            currency=t.currency,
            available=t.available,
            held=t.held,
            pending=t.pending,
            paid=t.paid,
            capped=t.capped,
        )


class StatementLineOut(BaseModel):
    effective_on: date
    entry_id: str
    kind: str
    deal_id: str | None
    account: str
    currency: str
    amount: Decimal
    balance_after: Decimal
    explanation: str
    reverses: str | None


class StatementOut(BaseModel):
    partner_id: str
    period_from: date = Field(serialization_alias="from")
    period_to: date = Field(serialization_alias="to")
    currency: str | None
    opening: list[AccountOut]
    entries: list[StatementLineOut]
    closing: list[AccountOut]


class BalancesOut(BaseModel):
    partner_id: str
    as_of: datetime | None
    balances: list[AccountOut]
    totals: list[TotalsOut]


def _no_ledger(partner_id: str) -> Problem:
    return Problem(404, "Not found", f"partner {partner_id} has no ledger")


@router.get("/partners/{partner_id}/balances")
async def partner_balances(
    partner_id: str,
    principal: Annotated[Principal, Depends(READERS)],
    reads: Queries,
    as_of: Annotated[BusinessDateTime | None, Query(description="business time; default now")] = None,
) -> BalancesOut:
    """Balances of the partner's own accounts, credit-normal (what the vendor owes or paid the partner),
    with available / held / pending / paid / capped per fund and currency."""
    if as_of is not None and as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=UTC)
    principal.require_partner(partner_id)
    lines = await reads.partner_balances(partner_id, as_of)
    if lines is None:
        raise _no_ledger(partner_id)
    accounts, totals = partner_view((b.account, b.currency, b.balance) for b in lines)
    return BalancesOut(
        partner_id=partner_id,
        as_of=as_of,
        balances=[AccountOut.of(a) for a in accounts],
        totals=[TotalsOut.of(t) for t in totals],
    )


@router.get(
    "/partners/{partner_id}/statement",
    response_model_by_alias=True,
    **documented(StatementOut, media_types=TEXT_CSV),
)
async def partner_statement(
    partner_id: str,
    principal: Annotated[Principal, Depends(READERS)],
    reads: Queries,
    period_from: Annotated[BusinessDate, Query(alias="from")],
    period_to: Annotated[BusinessDate, Query(alias="to")],
    currency: Annotated[str | None, Query(pattern=r"^[A-Z]{3}$")] = None,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
) -> StatementOut | Response:
    """Opening balance, each entry in the period with its explanation, closing balance (dates inclusive)."""
    if period_to < period_from:
        raise Problem(422, "Invalid period", f"'to' ({period_to}) is before 'from' ({period_from})")
    start = datetime.combine(period_from, time.min, tzinfo=UTC)
    end = datetime.combine(period_to + timedelta(days=1), time.min, tzinfo=UTC)
    principal.require_partner(partner_id)
    found = await reads.partner_statement(partner_id, start, end, currency)
    if found is None:
        raise _no_ledger(partner_id)
    opening = ((b.account, b.currency, b.balance) for b in found.opening)
    statement = build_statement(partner_id, period_from, period_to, currency, opening, found.lines)
    if format == "csv":
        filename = f"statement-{partner_id}-{period_from}-{period_to}.csv"
        return PlainTextResponse(
            statement_csv(statement),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    return StatementOut(
        partner_id=partner_id,
        period_from=period_from,
        period_to=period_to,
        currency=currency,
        opening=[AccountOut.of(a) for a in statement.opening],
        entries=[StatementLineOut(**vars(line)) for line in statement.lines],
        closing=[AccountOut.of(a) for a in statement.closing],
    )


@router.get("/partners/{partner_id}/tier")
async def partner_tier(partner_id: str, principal: Annotated[Principal, Depends(READERS)], reads: Queries) -> TierOut:
    principal.require_partner(partner_id)
    row = await reads.partner(partner_id)
    if row is None:
        raise _no_ledger(partner_id)
    return TierOut(
        partner_id=partner_id,
        program_id=row.program_id,
        tier=row.tier,
        tier_since=row.state.get("tier_since"),
        reviewed_through=row.state.get("reviewed_through"),
    )
