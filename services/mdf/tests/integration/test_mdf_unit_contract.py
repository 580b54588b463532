"""One contract, two units: the use cases give the same outcomes on the SQL unit (PostgreSQL) and on
the in-memory unit the unit tests use, so a use case tested in memory behaves the same in production."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from incentive_contracts.events.ledger import LedgerMdfAccrued
from incentive_contracts.events.mdf import ExpectedResults
from incentive_contracts.money import Money
from mdf.adapters.memory import MemoryMdfStore
from mdf.application import funds, periods, queries, requests
from mdf.application.ledger_feed import LedgerFact, apply_ledger_facts
from mdf.application.partner_directory import KnownPartner
from mdf.application.ports import MdfUnit, RequestFilter
from mdf.bootstrap import bootstrap
from mdf.domain.budget import Allocate, SetBudget
from mdf.domain.errors import AlreadyExists
from mdf.domain.period_close import ClosePeriod
from mdf.domain.policy import MdfPolicy
from mdf.domain.request import ApproveRequest, SubmitRequest
from mdf_api import fetch
from servicekit.units import run_committed

PERIOD = "2026-Q2"
POLICY = MdfPolicy.build()
UseCase = Callable[[MdfUnit], Awaitable[Any]]


def eur(amount: str) -> Money:
    return Money(amount=Decimal(amount), currency="EUR")


def submit(request_id: str, requested: str) -> SubmitRequest:
    return SubmitRequest(
        request_id=request_id,
        partner_id="p1",
        period=PERIOD,
        activity_type="webinar",
        title=f"Webinar {request_id}",
        planned_cost=eur("10000.00"),
        requested_amount=eur(requested),
        starts_on=date(2026, 5, 4),
        ends_on=date(2026, 5, 8),
        expected=ExpectedResults(registrations=300, leads=40),
        milestones=None,
        submitted_on=date(2026, 4, 10),
        submitted_by="p1:user",
    )


def accrual(entry_id: str) -> LedgerMdfAccrued:
    return LedgerMdfAccrued(
        partner_id="p1",
        entry_id=entry_id,
        deal_id="d1",
        period=PERIOD,
        amount=eur("12.34"),
        rate="0.01",
        rule_version=1,
    )


async def prepare(unit: MdfUnit) -> None:
    await unit.partners.enrol(KnownPartner("p1", "P1 Ltd", "default", True, date(2026, 1, 5)))
    await unit.tiers.record("p1", "gold", "default", date(2026, 3, 1), 1)
    await unit.tiers.record("p1", "silver", "default", date(2026, 2, 1), 1)  # stale: kept out
    await funds.set_budget(unit, SetBudget(PERIOD, eur("50000.00")))
    await funds.allocate(unit, Allocate("a1", "p1", PERIOD, eur("10000.00"), date(2026, 4, 1)), by="manager")


async def scenario(run: Callable[[UseCase], Awaitable[Any]]) -> dict[str, Any]:
    """The same use cases in the same units; what a caller can observe of them."""
    seen: dict[str, Any] = {}
    await run(prepare)
    await run(lambda unit: requests.submit_request(unit, submit("r1", "5000.00"), policy=POLICY))
    await run(lambda unit: requests.submit_request(unit, submit("r2", "1000.00"), policy=POLICY))
    with pytest.raises(AlreadyExists):
        await run(lambda unit: requests.submit_request(unit, submit("r1", "10.00"), policy=POLICY))
    approved = await run(
        lambda unit: requests.approve_request(unit, ApproveRequest("r1", None, date(2026, 4, 12), "m"), policy=POLICY)
    )
    seen["approved"] = (approved.status.value, approved.reserved)
    for event_id in ("e-1", "e-2"):  # one ledger entry, re-sent under a new event id
        await run(lambda unit, e=event_id: apply_ledger_facts(unit, [LedgerFact(e, accrual("je-1"), date(2026, 5, 2))]))
    first = await run(lambda unit: queries.list_requests(unit, RequestFilter(partner_id="p1"), after=None, limit=1))
    seen["first_page"] = ([r.request_id for r in first.items], first.next_cursor is not None)
    seen["tier"] = await run(lambda unit: unit.tiers.get("p1"))
    closed = await run(lambda unit: periods.close_period(unit, ClosePeriod(PERIOD, date(2026, 7, 1), date(2026, 7, 1))))
    seen["closed"] = (closed.period.closed, sorted(closed.lapsed_requests), closed.expired)
    [fund] = await run(lambda unit: queries.fund_positions(unit, "p1"))
    seen["fund"] = (fund.allocated, fund.accrued, fund.reserved, fund.expired, fund.available)
    allocations = await run(lambda unit: queries.allocations(unit, "p1", PERIOD))
    seen["allocations"] = [(a.allocation_id, a.amount.amount) for a in allocations]
    return seen


async def test_the_sql_and_the_in_memory_unit_keep_one_contract(mdf_settings):
    container = bootstrap(mdf_settings)

    try:
        in_postgres = await scenario(
            lambda use_case: run_committed(container.runtime.uow_factory, container.unit, use_case)
        )
    finally:
        await container.runtime.close()
    store = MemoryMdfStore()
    in_memory = await scenario(store.run)

    assert in_memory == in_postgres
    assert in_postgres["approved"] == ("approved", Decimal("5000.00"))
    assert in_postgres["fund"][:3] == (Decimal("10000.00"), Decimal("12.34"), Decimal("5000.00"))
    assert in_postgres["tier"] == "gold"
    outbox = [r["event_type"] for r in await fetch(mdf_settings, "SELECT event_type FROM outbox ORDER BY id")]
    assert [e.event_type for e in store.published] == outbox
