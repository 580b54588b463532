"""The cross-service comparison, with the figures of issue 12's defects 1-4 worked by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from ledger.domain.service_positions import (
    LedgerDeal,
    LedgerFundBalance,
    MdfFundPosition,
    PayoutSettlement,
    RegisteredDeal,
)
from ledger.domain.service_reconciliation import Difference, reconcile_services


def _lines(differences: list[Difference]) -> list[tuple[str, str, str, str, str, str]]:
    return [(d.check, d.partner_id, d.period, d.currency, d.theirs, d.ours) for d in differences]


def test_agreeing_sides_give_no_difference_and_held_accruals_are_information_only() -> None:
    report = reconcile_services(
        [MdfFundPosition("p1", "2026-Q2", "USD", allocated=D("500"), accrued=D("100"), available=D("600"))],
        [LedgerFundBalance("p1", "2026-Q2", "USD", available=D("600.00"), held=D("25.00"))],
        [RegisteredDeal("d1", "p1", "USD", D("10000.00"), date(2026, 5, 10))],
        [LedgerDeal("d1", "p1", "USD", D("10000.00"), date(2026, 5, 10), reward_entries=2)],
        [PayoutSettlement("p1", "2026-Q3", "USD", lines_paid=D("61.72"), journal_paid=D("61.72"))],
    )

    assert report.ok
    assert report.differences == []
    assert _lines(report.information) == [("mdf_held", "p1", "2026-Q2", "USD", "0.00", "25.00")]
    assert report.compared == {"mdf": 1, "registration": 1, "payouts": 1}
    assert set(report.counts().values()) == {0}


def test_defect_1_a_clawed_back_accrual_still_available_in_mdf() -> None:
    """10,000.00 USD won and cancelled: the ledger clawed the 1 % accrual back, mdf still shows it."""
    reversed_deal = dict(reversed_amount=D("10000.00"), status="reversed")
    report = reconcile_services(
        [MdfFundPosition("p1", "2026-Q2", "USD", accrued=D("100.0000"), available=D("100.0000"))],
        [LedgerFundBalance("p1", "2026-Q2", "USD", available=D("0.00"))],
        [RegisteredDeal("d1", "p1", "USD", D("10000.00"), date(2026, 5, 10), **reversed_deal)],  # type: ignore[arg-type]
        [
            LedgerDeal(
                "d1",
                "p1",
                "USD",
                D("10000.00"),
                date(2026, 5, 10),
                reversed_amount=D("10000.00"),
                reward_entries=2,
                clawback_entries=2,
            )
        ],
        [],
    )

    assert _lines(report.differences) == [("mdf_available", "p1", "2026-Q2", "USD", "100.00", "0.00")]
    (line,) = report.differences
    assert line.amount == D("-100.00")
    assert "accrued 100.00" in line.note
    assert report.counts()["mdf_available"] == 1


def test_defect_2_a_partial_claim_leaves_a_reservation_in_the_ledger() -> None:
    """1,000.00 CHF allocated, 400.00 approved, claim approved at 300.00 and disbursed."""
    report = reconcile_services(
        [
            MdfFundPosition(
                "p2", "2026-Q1", "CHF", allocated=D("1000"), reserved=D("0"), disbursed=D("300"), available=D("700")
            )
        ],
        [LedgerFundBalance("p2", "2026-Q1", "CHF", available=D("600.00"), reserved=D("100.00"), disbursed=D("300.00"))],
        [],
        [],
        [],
    )

    assert _lines(report.differences) == [
        ("mdf_available", "p2", "2026-Q1", "CHF", "700.00", "600.00"),
        ("mdf_reserved", "p2", "2026-Q1", "CHF", "0.00", "100.00"),
    ]


def test_defect_3_an_allocation_dead_lettered_by_the_ledger() -> None:
    """1,000.00 CHF allocated before the enrolment reached the ledger (dead-lettered), then 400.00
    approved: the ledger's mdf_available went to -400.00 CHF while mdf has 600.00 available."""
    report = reconcile_services(
        [MdfFundPosition("p3", "2026-Q1", "CHF", allocated=D("1000"), reserved=D("400"), available=D("600"))],
        [LedgerFundBalance("p3", "2026-Q1", "CHF", available=D("-400.00"), reserved=D("400.00"))],
        [],
        [],
        [],
    )

    assert _lines(report.differences) == [("mdf_available", "p3", "2026-Q1", "CHF", "600.00", "-400.00")]


def test_a_fund_only_one_side_knows_is_listed_with_zero_for_the_other() -> None:
    report = reconcile_services(
        [],
        [LedgerFundBalance("p3", "2026-Q1", "CHF", available=D("-400.00"))],
        [],
        [],
        [],
    )

    assert _lines(report.differences) == [("mdf_available", "p3", "2026-Q1", "CHF", "0.00", "-400.00")]
    assert "no fund in the mdf service" in report.differences[0].note


def test_defect_4_a_flagged_deal_accrual_is_spendable() -> None:
    """The deal was flagged at its win: rebate held, but the 1 % accrual went to mdf_available (and to
    the mdf fund). The funds agree with each other; the deal check finds the spendable accrual."""
    report = reconcile_services(
        [MdfFundPosition("p4", "2026-Q2", "USD", accrued=D("100"), available=D("100"))],
        [LedgerFundBalance("p4", "2026-Q2", "USD", available=D("100.00"))],
        [RegisteredDeal("d4", "p4", "USD", D("10000.00"), date(2026, 4, 2), open_flags=("registered_after_close",))],
        [
            LedgerDeal(
                "d4",
                "p4",
                "USD",
                D("10000.00"),
                date(2026, 4, 2),
                held=True,
                reward_entries=2,
                accrued_held_at_win=True,
                accrual_spendable=D("100.00"),
            )
        ],
        [],
    )

    assert _lines(report.differences) == [("deal_flagged_accrual_spendable", "p4", "2026-Q2", "USD", "0.00", "100.00")]
    assert report.differences[0].subject == "d4"
    assert "registered_after_close" in report.differences[0].note


def test_deals_known_to_one_side_only_and_disagreeing_bookings_are_listed() -> None:
    report = reconcile_services(
        [],
        [],
        [
            RegisteredDeal("lost-in-transit", "p5", "EUR", D("2500.00"), date(2026, 2, 1)),
            RegisteredDeal("d6", "p5", "EUR", D("1000.00"), date(2026, 2, 3), reversed_amount=D("400.00")),
            RegisteredDeal("d7", "p5", "EUR", D("800.00"), date(2026, 2, 4)),
        ],
        [
            LedgerDeal("ghost", "p5", "EUR", D("90.00"), date(2026, 3, 1), reward_entries=1),
            LedgerDeal("d6", "p5", "EUR", D("1000.00"), date(2026, 2, 3), reward_entries=1),
            LedgerDeal(
                "d7",
                "p5",
                "EUR",
                D("850.00"),
                date(2026, 2, 4),
                held=True,
                reversed_amount=D("10.00"),
                reward_entries=0,
            ),
        ],
        [],
    )

    assert [(d.check, d.subject, d.theirs, d.ours) for d in report.differences] == [
        ("deal_clawback_entries", "d7", "reversed 0.00", "0 clawback entries"),
        ("deal_hold", "d7", "not flagged", "rewards held"),
        ("deal_reversed_amount", "d6", "400.00", "0.00"),
        ("deal_reversed_amount", "d7", "0.00", "10.00"),
        ("deal_reward_entries", "d7", "won", "0 entries"),
        ("deal_unknown_to_ledger", "lost-in-transit", "won 2500.00", "no booking"),
        ("deal_unknown_to_registration", "ghost", "not won", "won 90.00"),
        ("deal_won_amount", "d7", "800.00 EUR on 2026-02-04", "850.00 EUR on 2026-02-04"),
    ]
    assert all(d.period == "2026-Q1" and d.currency == "EUR" for d in report.differences)


def test_settled_payouts_against_acknowledgements() -> None:
    report = reconcile_services(
        [],
        [],
        [],
        [],
        [
            PayoutSettlement("p1", "2026-Q3", "USD", lines_paid=D("61.72"), journal_paid=D("61.72")),
            PayoutSettlement("p2", "2026-Q3", "USD", lines_paid=D("100.00"), journal_paid=D("0")),
        ],
    )

    assert _lines(report.differences) == [("payouts_paid", "p2", "2026-Q3", "USD", "100.00", "0.00")]


def test_a_deal_rejected_by_a_confirmed_flag_counts_as_reversed_in_full() -> None:
    """Confirming a flag rejects the deal and the ledger reverses all of it: 4,000.00 reversed on both
    sides agrees; a ledger that reversed only 1,000.00 of it is listed with both figures."""
    confirmed = RegisteredDeal("d8", "p6", "USD", D("4000.00"), date(2026, 6, 1), status="rejected")
    whole = LedgerDeal("d8", "p6", "USD", D("4000.00"), date(2026, 6, 1), D("4000.00"), reward_entries=2,
                       clawback_entries=2)  # fmt: skip
    part = LedgerDeal("d8", "p6", "USD", D("4000.00"), date(2026, 6, 1), D("1000.00"), reward_entries=2,
                      clawback_entries=1)  # fmt: skip

    assert reconcile_services([], [], [confirmed], [whole], []).ok
    listed = reconcile_services([], [], [confirmed], [part], []).differences
    assert _lines(listed) == [("deal_reversed_amount", "p6", "2026-Q2", "USD", "4000.00", "1000.00")]
