"""The ledger's side of `ledger reconcile`, read from PostgreSQL after real projections and a payout:
MDF balances split per fund period, won deals with their entries, payout lines against rebates_paid."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from incentive_contracts.events import mdf
from ledger.adapters.service_book import SqlLedgerBook
from ledger.adapters.store import SqlLedgerStore
from ledger.application.projector import project
from ledger.domain.service_positions import LedgerDeal, LedgerFundBalance, PayoutSettlement
from ledger_support import allocated, enrolled, incoming, usd, won
from servicekit.testing.client import auth_header


def _approved() -> mdf.MdfRequestApproved:
    return mdf.MdfRequestApproved(
        partner_id="acme", request_id="r1", period="2026-Q1", requested_amount=usd("200.00"),
        approved_amount=usd("200.00"), approved_on=date(2026, 4, 3), approved_by="mgr",
        claim_deadline=date(2026, 6, 30),
    )  # fmt: skip


def _disbursed() -> mdf.MdfDisbursed:
    return mdf.MdfDisbursed(
        partner_id="acme", disbursement_id="x1", request_id="r1", period="2026-Q1", milestone="plan",
        trigger="plan_approved", amount=usd("120.00"), disbursed_on=date(2026, 4, 10),
    )  # fmt: skip


async def test_the_book_splits_mdf_per_fund_period_and_lists_deals_and_settlements(
    ledger_client, ledger_settings, uow_factory
):
    events = [
        enrolled("acme", program_id="default"),
        won("d1", "1000.00", date(2026, 3, 20)),  # rebate 50.00, MDF accrual 10.00 into 2026-Q1
        allocated("500.00", date(2026, 2, 2), period="2026-Q1"),
        _approved(),  # 2026-Q1 funds, approved in April: 200.00 reserved
        _disbursed(),  # 120.00 of it disbursed
        allocated("300.00", date(2026, 4, 2), period="2026-Q2"),
        won("d2", "2000.00", date(2026, 4, 15)),  # rebate 100.00, MDF accrual 20.00 into 2026-Q2
    ]
    async with uow_factory() as uow:
        assert await project(SqlLedgerStore(uow), [incoming(e) for e in events]) == []
        await uow.commit()
    finance = auth_header(ledger_settings, "finance:write")
    cut = {"currency": "USD", "cutoff": "2026-03-31T00:00:00Z"}
    batch = (await ledger_client.post("/payout-batches", json=cut, headers=finance | {"Idempotency-Key": "c"})).json()
    paid = {
        "lines": [{"partner_id": "acme", "status": "paid", "payment_reference": "P1", "at": "2026-04-05T00:00:00Z"}]
    }
    url = f"/payout-batches/{batch['batch_id']}/acknowledgements"
    assert (await ledger_client.post(url, json=paid, headers=finance | {"Idempotency-Key": "a"})).status_code == 200

    book = SqlLedgerBook(uow_factory.engine)
    funds = await book.fund_balances()
    deals = await book.booked_deals()
    settlements = await book.payout_settlements()

    # The 2026-Q1 fund moved in April still counts in 2026-Q1: the period comes from the entries.
    assert funds == [
        LedgerFundBalance("acme", "2026-Q1", "USD", available=D("310.00"), reserved=D("80.00"), disbursed=D("120.00")),
        LedgerFundBalance("acme", "2026-Q2", "USD", available=D("320.00")),
    ]
    assert deals == [
        LedgerDeal(
            "d1", "acme", "USD", D("1000.00"), date(2026, 3, 20), reward_entries=2, accrual_spendable=D("10.00")
        ),
        LedgerDeal(
            "d2", "acme", "USD", D("2000.00"), date(2026, 4, 15), reward_entries=2, accrual_spendable=D("20.00")
        ),
    ]
    assert settlements == [PayoutSettlement("acme", "2026-Q2", "USD", lines_paid=D("50.00"), journal_paid=D("50.00"))]
