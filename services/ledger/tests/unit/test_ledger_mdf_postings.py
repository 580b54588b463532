"""MDF: the MDF service's allocations, reservations, disbursements and expiries, plus the accrual."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from incentive_contracts.events import mdf
from incentive_contracts.events.ledger import LedgerMdfAccrued
from ledger_support import allocated, balance, enrolled, entries, program, run, usd, won

D = Decimal


async def test_mdf_money_moves_between_available_reserved_and_disbursed():
    events = [
        enrolled(),
        allocated("5000.00", date(2026, 1, 10)),  # available 5000
        mdf.MdfRequestApproved(
            partner_id="acme",
            request_id="r1",
            period="2026-Q1",
            requested_amount=usd("2500.00"),
            approved_amount=usd("2000.00"),
            approved_on=date(2026, 1, 20),
            approved_by="m",
            claim_deadline=date(2026, 4, 30),
        ),  # available 3000, reserved 2000
        mdf.MdfDisbursed(
            partner_id="acme",
            disbursement_id="x1",
            request_id="r1",
            period="2026-Q1",
            milestone="final",
            trigger="proof_approved",
            amount=usd("1500.00"),
            disbursed_on=date(2026, 2, 20),
        ),  # reserved 500, disbursed 1500
        mdf.MdfRequestCancelled(
            partner_id="acme",
            request_id="r1",
            period="2026-Q1",
            released_amount=usd("500.00"),
            reason="activity done",
            lapsed=False,
            cancelled_on=date(2026, 2, 21),
            cancelled_by="m",
        ),  # reserved 0, available 3500
        won("d1", "20000.00", date(2026, 3, 1)),  # accrual 2 % = 400.00: available 3900
        mdf.MdfFundsExpired(
            partner_id="acme",
            period="2026-Q1",
            amount=usd("3900.00"),
            reason="period closed",
            expired_on=date(2026, 4, 1),
        ),  # available 0
    ]
    r = await run(events[:-1], program({"mdf_accrual": {"percent": "2"}}))
    assert (balance(r, "mdf_available"), balance(r, "mdf_reserved"), balance(r, "mdf_disbursed")) == (
        D("3900.00"),
        D("0.00"),
        D("1500.00"),
    )
    (accrued,) = [a.payload for a in r.ledger.announced if isinstance(a.payload, LedgerMdfAccrued)]
    assert (accrued.amount.amount, accrued.rate, accrued.period, accrued.deal_id) == (
        D("400.00"),
        "0.02",
        "2026-Q1",
        "d1",
    )
    r = await run(events, program({"mdf_accrual": {"percent": "2"}}))
    assert balance(r, "mdf_available") == D("0.00")
    kinds = [(e.kind, e.stream) for e in entries(r) if e.kind.startswith("mdf")]
    assert kinds == [
        ("mdf_allocation", "mdf"),
        ("mdf_reservation", "mdf"),
        ("mdf_disbursement", "mdf"),
        ("mdf_release", "mdf"),
        ("mdf_accrual", "registration"),
        ("mdf_expiry", "mdf"),
    ]
    assert r.ledger.balances[("acme", "vendor:marketing:mdf_expense", "USD")] == D("1100.00")  # 5000 - 3900
