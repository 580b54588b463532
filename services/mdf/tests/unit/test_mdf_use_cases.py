"""The mdf use cases on the in-memory unit (no database): what they store, publish and refuse."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from incentive_contracts.events.ledger import LedgerMdfAccrued
from incentive_contracts.money import Money
from mdf.adapters.memory import MemoryMdfStore
from mdf.application import funds, periods, requests
from mdf.application.ledger_feed import LedgerFact, apply_ledger_facts
from mdf.application.partner_directory import KnownPartner, UnknownPartner
from mdf.domain.budget import Allocate, SetBudget
from mdf.domain.errors import AlreadyExists
from mdf.domain.period_close import ClosePeriod
from mdf.domain.request import ApproveRequest, CancelRequest, RequestStatus
from mdf_builders import POLICY, eur, submit_command

PERIOD = "2026-Q2"


async def funded_store(amount: str = "10000.00") -> MemoryMdfStore:
    """A store that knows partner p1 (gold) and allocated ``amount`` EUR to it for the period."""
    store = MemoryMdfStore()

    async def prepare(unit):  # type: ignore[no-untyped-def]
        await unit.partners.enrol(KnownPartner("p1", "P1 Ltd", "default", True, date(2026, 1, 5)))
        await unit.tiers.record("p1", "gold", "default", date(2026, 3, 1), 1)
        await funds.set_budget(unit, SetBudget(PERIOD, eur("50000.00")))
        return await funds.allocate(unit, Allocate("a1", "p1", PERIOD, eur(amount), date(2026, 4, 1)), by="manager")

    await store.run(prepare)
    return store


async def test_an_allocation_credits_the_fund_within_the_budget_and_is_published():
    store = await funded_store()
    [fund] = store.data.funds.values()
    assert (fund.allocated, fund.available) == (Decimal("10000.00"), Decimal("10000.00"))
    assert store.data.budgets[(PERIOD, "EUR")].allocated == Decimal("10000.00")
    assert [type(e).__name__ for e in store.published] == ["MdfAllocated"]


async def test_an_allocation_to_an_unknown_partner_is_refused_and_changes_nothing():
    store = await funded_store()
    before = store.data
    with pytest.raises(UnknownPartner):
        await store.run(
            lambda unit: funds.allocate(unit, Allocate("a2", "p9", PERIOD, eur("1.00"), date(2026, 4, 1)), by="m")
        )
    assert store.data is before
    assert len(store.published) == 1


async def test_approval_reserves_and_cancellation_releases():
    store = await funded_store()
    await store.run(lambda unit: requests.submit_request(unit, submit_command(partner_id="p1"), policy=POLICY))
    approve = ApproveRequest("r1", None, date(2026, 4, 12), "manager")
    approved = await store.run(lambda unit: requests.approve_request(unit, approve, policy=POLICY))
    assert (approved.status, store.data.funds[("p1", PERIOD, "EUR")].reserved) == (
        RequestStatus.APPROVED,
        Decimal("5000.00"),
    )
    cancel = CancelRequest("r1", "plans changed", date(2026, 4, 20), "manager")
    cancelled = await store.run(lambda unit: requests.cancel_request(unit, cancel, partner_id=None))
    fund = store.data.funds[("p1", PERIOD, "EUR")]
    assert (cancelled.status, fund.reserved, fund.available) == (RequestStatus.CANCELLED, 0, Decimal("10000.00"))


async def test_a_request_id_is_taken_once():
    store = await funded_store()
    await store.run(lambda unit: requests.submit_request(unit, submit_command(partner_id="p1"), policy=POLICY))
    again = submit_command(partner_id="p1", title="Another webinar")
    with pytest.raises(AlreadyExists):
        await store.run(lambda unit: requests.submit_request(unit, again, policy=POLICY))


async def test_a_ledger_accrual_is_credited_once_per_ledger_entry():
    store = await funded_store()
    accrued = LedgerMdfAccrued(
        partner_id="p1",
        entry_id="je-1",
        deal_id="d1",
        period=PERIOD,
        amount=Money(amount=Decimal("12.34"), currency="EUR"),
        rate="0.01",
        rule_version=1,
    )
    for event_id in ("e-1", "e-2"):  # the same ledger entry re-sent under a new event id
        refused = await store.run(
            lambda unit, e=event_id: apply_ledger_facts(unit, [LedgerFact(e, accrued, date(2026, 5, 2))])
        )
        assert refused == []
    assert store.data.funds[("p1", PERIOD, "EUR")].accrued == Decimal("12.34")


async def test_closing_a_period_expires_what_is_not_reserved():
    store = await funded_store()
    summary = await store.run(
        lambda unit: periods.close_period(unit, ClosePeriod(PERIOD, date(2026, 7, 1), date(2026, 7, 1)))
    )
    assert (summary.period.closed, summary.expired) == (True, {"EUR": Decimal("10000.00")})
    assert store.data.funds[("p1", PERIOD, "EUR")].available == 0
