"""The anomaly queue folded from flag events and the ledger's held postings, worked by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from insights.domain.anomalies import Decided, Flagged, FlagStatus, HeldAmount, deal_status, fold, held_amounts

D1, D2, D3 = date(2026, 3, 1), date(2026, 3, 5), date(2026, 3, 9)


def test_a_deal_stays_open_until_every_flag_is_cleared():
    flags = fold(
        [
            Flagged("registered_near_close", "3 days before close", D1),
            Flagged("self_dealing", "same domain", D1),
            Decided("self_dealing", confirmed=False, by="mgr-1", on=D2, note="checked: reseller"),
        ]
    )

    assert [(f.reason, f.status) for f in flags] == [
        ("registered_near_close", FlagStatus.OPEN),
        ("self_dealing", FlagStatus.CLEARED),
    ]
    assert (flags[1].decided_by, flags[1].note) == ("mgr-1", "checked: reseller")
    assert deal_status(flags) is FlagStatus.OPEN
    cleared = fold([Flagged("self_dealing", "x", D1), Decided("self_dealing", False, "mgr-1", D2, None)])
    assert deal_status(cleared) is FlagStatus.CLEARED


def test_a_confirmed_flag_decides_the_deal_and_replays_change_nothing():
    flagged = Flagged("registration_velocity", "12 in 7 days", D1)
    confirmed = Decided("registration_velocity", confirmed=True, by="mgr-2", on=D3, note="fabricated deals")
    flags = fold([flagged, flagged, Flagged("self_dealing", "same domain", D1), confirmed, confirmed])

    assert deal_status(flags) is FlagStatus.CONFIRMED
    assert [(f.reason, f.status, f.decided_by, f.decided_on) for f in flags] == [
        ("registration_velocity", FlagStatus.CONFIRMED, "mgr-2", D3),
        ("self_dealing", FlagStatus.OPEN, None, None),
    ]


def test_a_decision_arriving_before_its_flag_keeps_the_decision():
    flags = fold([Decided("self_dealing", False, "mgr-1", D2, None), Flagged("self_dealing", "same domain", D1)])

    assert [(f.reason, f.status, f.detail) for f in flags] == [("self_dealing", FlagStatus.OPEN, "same domain")]


def test_held_amounts_follow_the_hold_and_its_release():
    hold = [
        ("partner:A:rebates_payable", "USD", Decimal("120.00")),
        ("partner:A:rebates_held", "USD", Decimal("-120.00")),
    ]
    held_at_win = [
        ("program:p:mdf_accrual_expense", "USD", Decimal("30.00")),
        ("partner:A:mdf_held", "USD", Decimal("-30.00")),
    ]
    release = [
        ("partner:A:rebates_held", "USD", Decimal("120.00")),
        ("partner:A:rebates_payable", "USD", Decimal("-120.00")),
    ]

    assert held_amounts(hold + held_at_win) == [HeldAmount("USD", Decimal("120.00"), Decimal("30.00"))]
    assert held_amounts(hold + held_at_win + release) == [HeldAmount("USD", Decimal("0.00"), Decimal("30.00"))]
    assert held_amounts([("program:p:rebate_expense", "EUR", Decimal(5))]) == []
