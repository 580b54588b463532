from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from incentive_contracts.events.mdf import MdfFundsExpired, MdfRequestCancelled
from mdf.domain.errors import RuleViolation
from mdf.domain.fund import Fund
from mdf.domain.period_close import ClosePeriod, PeriodState, decide_close, evolve_period, expire_unreserved
from mdf_builders import approved, claimed, eur, submitted

OPEN = PeriodState("2026-Q2")


def close(as_of, *, requests=(), funds=(), state=OPEN, today=date(2026, 12, 31)):
    return decide_close(state, ClosePeriod("2026-Q2", as_of, today), requests=requests, funds=funds)


def fund(partner="p1", allocated="10000.00", reserved="0", disbursed="0"):
    return Fund(
        partner,
        "2026-Q2",
        "EUR",
        allocated=Decimal(allocated),
        reserved=Decimal(reserved),
        disbursed=Decimal(disbursed),
    )


def test_a_period_closes_only_after_it_ends_and_not_in_the_future():
    with pytest.raises(RuleViolation) as raised:
        close(date(2026, 6, 30))
    assert raised.value.rules == ["period_not_ended"]
    with pytest.raises(RuleViolation) as raised:
        close(date(2026, 7, 2), today=date(2026, 7, 1))
    assert raised.value.rules == ["close_date_in_future"]


def test_close_expires_all_unreserved_money_per_fund():
    events = close(date(2026, 7, 1), funds=[fund("p2", "300.00"), fund("p1", "10000.00", reserved="5000.00")])
    assert [(e.partner_id, e.amount) for e in events] == [("p1", eur("5000.00")), ("p2", eur("300.00"))]
    assert all(isinstance(e, MdfFundsExpired) and e.expired_on == date(2026, 7, 1) for e in events)


def test_close_lapses_past_deadline_requests_and_expires_what_they_release():
    late = approved()  # 5000 reserved, claim deadline 2026-07-07
    on_time = replace(approved(), request_id="r2", claim_deadline=date(2026, 8, 1))
    _, under_review = claimed(replace(approved(), request_id="r3"), request_id="r3")
    funds = [fund(allocated="20000.00", reserved="15000.00")]
    events = close(date(2026, 7, 10), requests=[on_time, late, under_review, submitted(request_id="r4")], funds=funds)
    lapsed = [e for e in events if isinstance(e, MdfRequestCancelled)]
    assert [(e.request_id, e.released_amount) for e in lapsed] == [("r1", eur("5000.00")), ("r4", eur("0"))]
    [expired] = [e for e in events if isinstance(e, MdfFundsExpired)]
    # 20000 - 15000 reserved + 5000 released by r1: 10000 expires; r2 and r3 keep their 10000 reserved
    assert expired.amount == eur("10000.00")


def test_closing_again_later_sweeps_again_but_never_backwards():
    state = evolve_period(OPEN, ClosePeriod("2026-Q2", date(2026, 7, 10), date(2026, 7, 10)))
    assert state.closed
    assert state.closed_as_of == date(2026, 7, 10)
    with pytest.raises(RuleViolation) as raised:
        close(date(2026, 7, 9), state=state)
    assert raised.value.rules == ["close_date_before_previous"]
    again = evolve_period(state, ClosePeriod("2026-Q2", date(2026, 8, 1), date(2026, 8, 1)))
    assert again.closed_on == date(2026, 7, 10)
    assert again.closed_as_of == date(2026, 8, 1)


def test_nothing_expires_from_an_empty_fund():
    assert expire_unreserved(fund(allocated="0"), reason="x", on=date(2026, 7, 1)) == []
