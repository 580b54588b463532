"""Read side: fund positions, budgets, requests and claims (filters and keyset pages)."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.budget import ProgramBudget
from ..domain.claim import Claim
from ..domain.fund import Fund
from ..domain.period_close import PeriodState
from ..domain.request import MdfRequest
from .claims import get_claim
from .ports import AllocationRecord, ClaimFilter, FundPage, MdfUnit, Page, RequestFilter, RequestHistory
from .requests import get_request


async def fund_positions(unit: MdfUnit, partner_id: str, period: str | None = None) -> list[Fund]:
    return await unit.funds.list(partner_id, period)


async def all_fund_positions(
    unit: MdfUnit, *, partner_id: str | None, after: tuple[str, str, str] | None, limit: int
) -> FundPage:
    """Every fund position (of one partner, or of all), a page at a time: the reconciliation's feed."""
    return await unit.funds.page(partner_id=partner_id, after=after, limit=limit)


@dataclass(frozen=True)
class FundPeriod:
    """A partner's funds of one period (one per currency) and the period's state."""

    state: PeriodState
    funds: list[Fund]


async def fund_periods(unit: MdfUnit, partner_id: str) -> list[FundPeriod]:
    """Every period a partner has funds in, in period order."""
    funds = await unit.funds.list(partner_id)
    periods = sorted({f.period for f in funds})
    return [FundPeriod(await period_state(unit, p), [f for f in funds if f.period == p]) for p in periods]


async def fund_period(unit: MdfUnit, partner_id: str, period: str) -> FundPeriod:
    funds = await unit.funds.list(partner_id, period)
    return FundPeriod(await period_state(unit, period), funds)


async def period_state(unit: MdfUnit, period: str) -> PeriodState:
    return await unit.periods.get(period) or PeriodState(period)


async def budgets(unit: MdfUnit, period: str) -> list[ProgramBudget]:
    return await unit.budgets.list(period)


async def allocations(unit: MdfUnit, partner_id: str, period: str | None) -> list[AllocationRecord]:
    return await unit.history.allocations(partner_id, period)


async def list_requests(unit: MdfUnit, where: RequestFilter, *, after: int | None, limit: int) -> Page[MdfRequest]:
    return await unit.requests.list(where, after=after, limit=limit)


async def request_detail(
    unit: MdfUnit, request_id: str, *, partner_id: str | None
) -> tuple[MdfRequest, RequestHistory]:
    request = await get_request(unit, request_id, partner_id=partner_id)
    return request, await unit.history.of_request(request_id)


async def list_claims(unit: MdfUnit, where: ClaimFilter, *, after: int | None, limit: int) -> Page[Claim]:
    return await unit.claims.list(where, after=after, limit=limit)


async def claim_detail(unit: MdfUnit, claim_id: str, *, partner_id: str | None) -> Claim:
    return await get_claim(unit, claim_id, partner_id=partner_id)
