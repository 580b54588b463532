"""MDF: the MDF service's allocations, reservations, disbursements and expiries, plus the accrual."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from incentive_contracts.events import mdf
from incentive_contracts.events.ledger import LedgerMdfAccrued
from ledger_support import allocated, balance, enrolled, entries, program, request_lifecycle, run, usd, won

D = Decimal


async def test_mdf_money_moves_between_available_reserved_and_disbursed():
    events = [
        enrolled(),
        allocated("5000.00", date(2026, 1, 10)),  # available 5000
        *request_lifecycle(),  # reserved 2000 of 5000, disbursed 1500, released 500: available 3500
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
