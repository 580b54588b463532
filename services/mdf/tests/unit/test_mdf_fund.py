from datetime import date
from decimal import Decimal

import pytest
from incentive_contracts.events.mdf import MdfAllocated, MdfFundsExpired
from mdf.domain.claim import ApproveClaim, decide_approve_claim
from mdf.domain.errors import RuleViolation
from mdf.domain.fund import Fund, accrue, evolve_fund
from mdf.domain.request import ApproveRequest, CancelRequest, decide_approve, decide_cancel
from mdf_builders import PLAN_AND_PROOF, POLICY, claimed, eur, fold, submitted


def funded(amount: str) -> Fund:
    allocated = MdfAllocated(
        partner_id="p1", allocation_id="a1", period="2026-Q2", amount=eur(amount), allocated_on=date(2026, 4, 1)
    )
    return accrue(evolve_fund(Fund("p1", "2026-Q2", "EUR"), allocated), Decimal("500.00"))


def apply(fund, events, request=None):
    for event in events:
        fund = evolve_fund(fund, event)
    return fund


def test_allocations_and_accruals_add_to_available():
    fund = funded("8000.00")
    assert (fund.allocated, fund.accrued, fund.available) == (Decimal("8000.00"), Decimal("500.00"), Decimal("8500.00"))


def test_every_step_of_a_request_moves_the_position():
    fund = funded("8000.00")
    request = submitted(milestones=PLAN_AND_PROOF)
    events = decide_approve(
        request,
        ApproveRequest("r1", None, date(2026, 4, 12), "mgr"),
        available=fund.available,
        closed=False,
        policy=POLICY,
    )
    fund = apply(fund, events, request)
    # 5000 approved: 2500 paid on the plan, 2500 still reserved
    assert (fund.reserved, fund.disbursed, fund.available) == (
        Decimal("2500.00"),
        Decimal("2500.00"),
        Decimal("3500.00"),
    )
    request = fold(request, events)
    claim, request = claimed(request, claimed_amount=eur("4600.00"))
    events = decide_approve_claim(claim, request, ApproveClaim("c1", eur("4000.00"), date(2026, 5, 25), "mgr"))
    fund = apply(fund, events, request)
    # claim approved for 4000: 1000 of the reservation goes back, 1500 more paid out
    assert (fund.claimed, fund.reserved, fund.disbursed, fund.available) == (
        Decimal("4000.00"),
        Decimal("0.00"),
        Decimal("4000.00"),
        Decimal("4500.00"),
    )


def test_cancellation_gives_back_the_reservation():
    fund = funded("8000.00")
    request = submitted()
    events = decide_approve(
        request,
        ApproveRequest("r1", None, date(2026, 4, 12), "mgr"),
        available=fund.available,
        closed=False,
        policy=POLICY,
    )
    fund, request = apply(fund, events, request), fold(request, events)
    assert fund.available == Decimal("3500.00")
    fund = apply(fund, decide_cancel(request, CancelRequest("r1", "x", date(2026, 4, 20), "p1")))
    assert (fund.reserved, fund.available) == (Decimal("0.00"), Decimal("8500.00"))


def test_a_reservation_beyond_available_is_refused_even_when_folded_directly():
    fund = funded("1000.00")  # 1500 available
    request = submitted()  # asks for 5000
    events = decide_approve(
        request,
        ApproveRequest("r1", None, date(2026, 4, 12), "mgr"),
        available=Decimal("99999"),
        closed=False,
        policy=POLICY,
    )
    with pytest.raises(RuleViolation) as raised:
        apply(fund, events, request)
    assert raised.value.rules == ["insufficient_funds"]


def test_expiry_takes_money_out_of_available():
    fund = evolve_fund(
        funded("1000.00"),
        MdfFundsExpired(
            partner_id="p1", period="2026-Q2", amount=eur("1500.00"), reason="closed", expired_on=date(2026, 7, 1)
        ),
    )
    assert (fund.expired, fund.available) == (Decimal("1500.00"), Decimal("0.00"))


def test_only_positive_accruals_of_at_most_four_places_are_credited():
    from mdf.domain.fund import accrual_violations

    assert accrual_violations(Decimal("1234.5678")) == []
    assert accrual_violations(Decimal("0")) == ["an mdf accrual must be positive"]
    assert accrual_violations(Decimal("1.23456")) == ["an mdf accrual has at most 4 decimal places"]
