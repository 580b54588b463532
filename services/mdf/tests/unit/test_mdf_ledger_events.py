"""Issue 12: every money-moving step is an event the ledger applies too.

- a claim approved for less than was reserved releases the rest as mdf.reservation_released (defect 2);
- a reversed accrual is taken from the fund at most up to what is available (defect 1).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from incentive_contracts.events.ledger import LedgerMdfAccrualReversed
from incentive_contracts.events.mdf import MdfAllocated, MdfDisbursed, MdfReservationReleased
from incentive_contracts.money import Money
from mdf.domain.claim import ApproveClaim, decide_approve_claim
from mdf.domain.clawback import decide_clawback
from mdf.domain.fund import Fund, accrue, evolve_fund
from mdf.domain.request import ApproveRequest, decide_approve
from mdf_builders import POLICY, claimed, fold, submitted

D = Decimal


def chf(amount: str) -> Money:
    return Money(amount=D(amount), currency="CHF")


def test_a_claim_approved_for_less_releases_the_rest_of_the_reservation_as_an_event():
    fund = evolve_fund(
        Fund("p1", "2026-Q2", "CHF"),
        MdfAllocated(
            partner_id="p1", allocation_id="a1", period="2026-Q2", amount=chf("1000.00"), allocated_on=date(2026, 4, 1)
        ),
    )
    request = submitted(
        requested_amount=chf("400.00"), planned_cost=chf("800.00"), milestones=None
    )  # one proof milestone
    events = decide_approve(
        request,
        ApproveRequest("r1", None, date(2026, 4, 12), "mgr"),
        available=fund.available,
        closed=False,
        policy=POLICY,
    )
    request = fold(request, events)
    for event in events:
        fund = evolve_fund(fund, event)
    claim, request = claimed(request, claimed_amount=chf("400.00"), actual_cost=chf("800.00"))
    events = decide_approve_claim(claim, request, ApproveClaim("c1", chf("300.00"), date(2026, 5, 25), "mgr"))
    (released,) = [e for e in events if isinstance(e, MdfReservationReleased)]
    assert (released.amount, released.claim_id, released.period) == (chf("100.00"), "c1", "2026-Q2")
    assert sum((e.amount.amount for e in events if isinstance(e, MdfDisbursed)), D(0)) == D("300.00")
    request = fold(request, events)
    for event in events:
        fund = evolve_fund(fund, event)
    assert (fund.reserved, fund.available, fund.disbursed) == (D("0.00"), D("700.00"), D("300.00"))
    assert request.reserved == D("0.00")


def reversal(amount: str) -> LedgerMdfAccrualReversed:
    return LedgerMdfAccrualReversed(
        partner_id="p1",
        entry_id="je-rev",
        reverses="je-acc",
        deal_id="d1",
        period="2026-Q2",
        amount=Money(amount=D(amount), currency="USD"),
        rule_version=1,
    )


def test_a_reversed_accrual_is_taken_back_from_accrued_and_available():
    fund = accrue(Fund("p1", "2026-Q2", "USD"), D("100.00"))
    clawed = decide_clawback(fund, reversal("100.00"), on=date(2026, 5, 1))
    assert (clawed.amount.amount, clawed.unrecovered.amount, clawed.reversal_entry_id) == (D("100.00"), D(0), "je-rev")
    fund = evolve_fund(fund, clawed)
    assert (fund.accrued, fund.available) == (D("0.00"), D("0.00"))


def test_a_reversed_accrual_is_capped_at_what_is_available_and_the_rest_reported_unrecovered():
    fund = accrue(Fund("p1", "2026-Q2", "USD"), D("100.00"))
    fund = Fund(fund.partner_id, fund.period, fund.currency, accrued=fund.accrued, reserved=D("60.00"))
    clawed = decide_clawback(fund, reversal("100.00"), on=date(2026, 5, 1))
    assert (clawed.amount.amount, clawed.requested.amount, clawed.unrecovered.amount) == (
        D("40.00"),
        D("100.00"),
        D("60.00"),
    )
    fund = evolve_fund(fund, clawed)
    assert (fund.accrued, fund.reserved, fund.available) == (D("60.00"), D("60.00"), D("0.00"))
