from datetime import date
from decimal import Decimal

import pytest
from incentive_contracts.events.mdf import MdfDisbursed, MdfRequestApproved, MdfRequestCancelled
from mdf.domain.errors import AlreadyExists, InvalidTransition, RuleViolation
from mdf.domain.milestones import MilestonePlan
from mdf.domain.request import (
    ApproveRequest,
    CancelRequest,
    RejectRequest,
    RequestStatus,
    decide_approve,
    decide_cancel,
    decide_lapse,
    decide_reject,
    decide_submit,
)
from mdf_builders import PLAN_AND_PROOF, POLICY, approved, claimed, eur, fold, submit_command, submitted


def submit(command=None, *, available="20000", tier="gold", closed=False):
    return decide_submit(
        None, command or submit_command(), available=Decimal(available), tier=tier, closed=closed, policy=POLICY
    )


def violations(command=None, **kwargs) -> list[str]:
    with pytest.raises(RuleViolation) as raised:
        submit(command, **kwargs)
    return raised.value.rules


def test_a_valid_request_is_submitted_with_its_share_and_default_milestone():
    [event] = submit()
    assert event.request_id == "r1"
    assert event.partner_id == "p1"
    assert event.partner_share == "0.5000"
    assert [(m.name, m.trigger, m.percent) for m in event.milestones] == [("proof", "proof_approved", "100")]
    state = fold(None, [event])
    assert state.status == RequestStatus.SUBMITTED
    assert state.reserved == Decimal(0)


def test_submitting_the_same_id_twice_is_refused():
    with pytest.raises(AlreadyExists):
        decide_submit(submitted(), submit_command(), available=Decimal(1), tier=None, closed=False, policy=POLICY)


def test_amount_must_be_within_available_funds():
    assert violations(available="4999.99") == ["insufficient_funds"]
    assert submit(available="5000.00")  # exactly what is available is fine


def test_partner_must_carry_its_minimum_share():
    # 50% of 9999.99 is 4999.995: the most MDF can fund is 4999.99
    assert violations(submit_command(planned_cost=eur("9999.99"))) == ["partner_share_too_low"]
    assert submit(submit_command(planned_cost=eur("9999.99"), requested_amount=eur("4999.99")))


def test_activity_must_be_known_and_open_to_the_partners_tier():
    assert violations(submit_command(activity_type="karaoke")) == ["activity_unknown"]
    assert violations(submit_command(activity_type="trade_show"), tier="silver") == ["activity_not_eligible"]
    assert violations(submit_command(activity_type="field_event"), tier=None) == ["activity_not_eligible"]
    assert submit(submit_command(activity_type="trade_show"), tier="platinum")


def test_period_must_be_open():
    assert violations(closed=True) == ["period_closed"]


def test_dates_must_make_sense_for_a_pre_approval():
    assert violations(submit_command(ends_on=date(2026, 5, 1))) == ["dates_invalid"]
    assert violations(submit_command(starts_on=date(2026, 7, 1), ends_on=date(2026, 7, 2))) == [
        "activity_outside_period"
    ]
    assert violations(submit_command(submitted_on=date(2026, 5, 5))) == ["activity_already_started"]


def test_amounts_must_be_positive_in_one_currency_and_precision():
    rules = violations(submit_command(planned_cost=eur("0"), requested_amount=eur("10.00")))
    assert "amount_not_positive" in rules
    with pytest.raises(ValueError, match="decimal places"):  # the Money type refuses 10.001 EUR itself
        eur("10.001")
    usd = submit_command(planned_cost=eur("10000.00").model_copy(update={"currency": "USD"}))
    assert violations(usd) == ["currency_mismatch"]


def test_every_violation_is_reported_at_once():
    command = submit_command(activity_type="karaoke", requested_amount=eur("6000.00"))
    assert violations(command, available="100", closed=True) == [
        "period_closed",
        "activity_unknown",
        "partner_share_too_low",
        "insufficient_funds",
    ]


def test_invalid_milestones_are_refused():
    command = submit_command(milestones=(MilestonePlan("plan", "plan_approved", Decimal(100)),))
    assert violations(command) == ["milestones_invalid"]


def approve(state, amount=None, *, available="20000", closed=False):
    command = ApproveRequest(state.request_id, eur(amount) if amount else None, date(2026, 4, 12), "mgr")
    return decide_approve(state, command, available=Decimal(available), closed=closed, policy=POLICY)


def test_approval_reserves_the_requested_amount_and_sets_the_claim_deadline():
    events = approve(submitted())
    assert [type(e) for e in events] == [MdfRequestApproved]
    state = fold(submitted(), events)
    assert state.status == RequestStatus.APPROVED
    assert state.reserved == state.approved_amount == Decimal("5000.00")
    assert state.claim_deadline == date(2026, 7, 7)  # activity ends 2026-05-08, plus 60 days


def test_manager_may_approve_less_but_never_more():
    state = fold(submitted(), approve(submitted(), "3500.00"))
    assert state.approved_amount == Decimal("3500.00")
    with pytest.raises(RuleViolation) as raised:
        approve(submitted(), "5000.01")
    assert raised.value.rules == ["approved_above_requested"]


def test_approval_needs_funds_still_available_and_an_open_period():
    with pytest.raises(RuleViolation) as raised:
        approve(submitted(), available="4999.99", closed=True)
    assert raised.value.rules == ["period_closed", "insufficient_funds"]


def test_approval_pays_plan_milestones_at_once():
    events = approve(submitted(milestones=PLAN_AND_PROOF), "4500.00")
    paid = [e for e in events if isinstance(e, MdfDisbursed)]
    assert [(d.disbursement_id, d.milestone, d.amount) for d in paid] == [("r1/plan", "plan", eur("2250.00"))]
    state = fold(submitted(milestones=PLAN_AND_PROOF), events)
    assert (state.reserved, state.disbursed) == (Decimal("2250.00"), Decimal("2250.00"))


def test_only_submitted_requests_can_be_decided():
    with pytest.raises(InvalidTransition) as raised:
        approve(approved())
    assert raised.value.problem_extra["allowed"] == ["claim", "cancel", "report_results"]
    with pytest.raises(InvalidTransition):
        decide_reject(approved(), RejectRequest("r1", "no", date(2026, 4, 12), "mgr"))


def test_rejection_carries_the_reason():
    [event] = decide_reject(submitted(), RejectRequest("r1", "off-brand content", date(2026, 4, 12), "mgr"))
    state = fold(submitted(), [event])
    assert (state.status, state.status_reason) == (RequestStatus.REJECTED, "off-brand content")


def test_cancelling_an_approved_request_releases_what_it_still_reserves():
    state = fold(submitted(milestones=PLAN_AND_PROOF), approve(submitted(milestones=PLAN_AND_PROOF), "4000.00"))
    [event] = decide_cancel(state, CancelRequest("r1", "event cancelled", date(2026, 4, 20), "p1:user"))
    assert isinstance(event, MdfRequestCancelled)
    assert not event.lapsed
    assert event.released_amount == eur("2000.00")  # the other 2000 was paid on the plan
    after = fold(state, [event])
    assert (after.status, after.reserved) == (RequestStatus.CANCELLED, Decimal("0.00"))


def test_cancel_is_refused_while_a_claim_is_under_review_or_after_completion():
    _, with_claim = claimed(approved())
    with pytest.raises(InvalidTransition, match="under review"):
        decide_cancel(with_claim, CancelRequest("r1", "x", date(2026, 5, 21), "p1"))
    with pytest.raises(InvalidTransition):
        decide_cancel(
            fold(submitted(), decide_reject(submitted(), RejectRequest("r1", "n", date(2026, 4, 12), "m"))),
            CancelRequest("r1", "x", date(2026, 4, 13), "p1"),
        )


def test_lapse_releases_requests_past_their_claim_deadline_only():
    state = approved()  # deadline 2026-07-07
    assert decide_lapse(state, as_of=date(2026, 7, 7), by="close") == []
    [event] = decide_lapse(state, as_of=date(2026, 7, 8), by="close")
    assert event.lapsed
    assert event.released_amount == eur("5000.00")
    assert fold(state, [event]).status == RequestStatus.LAPSED


def test_lapse_spares_a_claim_under_review_and_lapses_unapproved_requests():
    _, with_claim = claimed(approved())
    assert decide_lapse(with_claim, as_of=date(2026, 9, 1), by="close") == []
    [event] = decide_lapse(submitted(), as_of=date(2026, 7, 1), by="close")
    assert event.lapsed
    assert event.released_amount == eur("0")
