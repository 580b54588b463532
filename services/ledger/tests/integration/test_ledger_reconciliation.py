"""GET /reconciliation for 2026-Q1 against amounts worked out by hand (program ``default``: 5 % rebate,
1 % of won revenue into MDF), with a forecast recorded by finance and, at the end, a tampered posting."""

from __future__ import annotations

from datetime import date

import asyncpg
from incentive_contracts.events import mdf
from ledger.adapters.store import SqlLedgerStore
from ledger.application.projector import project
from ledger_support import allocated, enrolled, incoming, reversed_, usd, won
from servicekit.db import sync_url
from servicekit.testing.client import auth_header


def _approved() -> mdf.MdfRequestApproved:
    return mdf.MdfRequestApproved(
        partner_id="acme", request_id="r1", period="2026-Q1", requested_amount=usd("200.00"),
        approved_amount=usd("200.00"), approved_on=date(2026, 2, 3), approved_by="mgr",
        claim_deadline=date(2026, 6, 30),
    )  # fmt: skip


def _disbursed() -> mdf.MdfDisbursed:
    return mdf.MdfDisbursed(
        partner_id="acme", disbursement_id="x1", request_id="r1", period="2026-Q1", milestone="plan",
        trigger="plan_approved", amount=usd("120.00"), disbursed_on=date(2026, 3, 10),
    )  # fmt: skip


async def test_a_quarter_reconciles_and_a_tampered_posting_is_listed(ledger_client, ledger_settings, uow_factory):
    events = [
        enrolled("acme", program_id="default"),
        enrolled("zeta", program_id="default"),
        won("d1", "1000.00", date(2026, 2, 1)),  # rebate 50.00, MDF accrual 10.00
        won("z1", "999.00", date(2026, 2, 1), pid="zeta"),  # rebate 49.95, MDF accrual 9.99
        allocated("500.00", date(2026, 2, 2), period="2026-Q1"),
        _approved(),  # 200.00 reserved
        _disbursed(),  # 120.00 disbursed
    ]
    async with uow_factory() as uow:
        assert await project(SqlLedgerStore(uow), [incoming(e) for e in events]) == []
        await uow.commit()
    finance = auth_header(ledger_settings, "finance:write")
    cut = {"currency": "USD", "cutoff": "2026-02-28T00:00:00Z"}
    batch = (await ledger_client.post("/payout-batches", json=cut, headers=finance | {"Idempotency-Key": "c"})).json()
    paid = {
        "lines": [{"partner_id": "acme", "status": "paid", "payment_reference": "P1", "at": "2026-03-05T00:00:00Z"}]
    }
    url = f"/payout-batches/{batch['batch_id']}/acknowledgements"
    assert (await ledger_client.post(url, json=paid, headers=finance | {"Idempotency-Key": "a"})).status_code == 200
    async with uow_factory() as uow:  # after the payout: half of d1 refunded, 25.00 rebate and 5.00 accrual back
        assert await project(SqlLedgerStore(uow), [incoming(reversed_("d1", "500.00", date(2026, 3, 15)))]) == []
        await uow.commit()
    forecast = {"currency": "USD", "reward_expense": "100.00", "mdf_usage": "120.00", "payouts": "50.00"}
    put = await ledger_client.put("/reconciliation/forecasts/2026-Q1", json=forecast, headers=finance)
    assert put.status_code == 200, put.text

    reader = auth_header(ledger_settings, "finance:read")
    report = (await ledger_client.get("/reconciliation?period=2026-Q1", headers=reader)).json()
    actuals = {x["name"]: (x["expected"], x["actual"], x["difference"]) for x in report["forecast_vs_actual"]}
    assert actuals == {
        "forecast reward_expense": ("100.00", "74.95", "-25.05"),  # 50.00 + 49.95 - 25.00
        "forecast mdf_usage": ("120.00", "120.00", "0.00"),
        "forecast payouts": ("50.00", "50.00", "0.00"),
    }
    checks = {x["name"]: (x["expected"], x["actual"]) for x in report["checks"]}
    # paid 50.00 + in payment 49.95 + payable -25.00 (the clawback of a paid rebate is owed)
    assert checks["rewards expensed = settled payouts + open balances"] == ("74.95", "74.95")
    # 500 + 10.00 + 9.99 (the 5.00 of a reversed accrual is the mdf service's to take back, issue 12)
    assert checks["MDF funded = MDF held by partners"] == ("519.99", "519.99")
    assert checks["payout lines in payment = journal rebates_in_payment"] == ("49.95", "49.95")
    assert report["balanced"] is True
    assert [x["name"] for x in report["differences"]] == ["forecast reward_expense"]

    conn = await asyncpg.connect(sync_url(ledger_settings.database_url))
    try:
        await conn.execute("SET session_replication_role = replica")
        await conn.execute(
            "UPDATE postings SET amount = -60.00 WHERE account = 'partner:acme:rebates_payable' AND amount = -50.00"
        )
    finally:
        await conn.close()
    report = (await ledger_client.get("/reconciliation?period=2026-Q1", headers=reader)).json()
    assert report["balanced"] is False
    listed = {x["name"]: x["difference"] for x in report["differences"]}
    assert listed["postings sum to zero"] == "-10.00"
    assert listed["rewards expensed = settled payouts + open balances"] == "10.00"


async def test_reconciliation_is_finance_and_audit_only(ledger_client, ledger_settings):
    for scopes, partner in ((("partner:read",), "acme"), (("program:admin",), None), (("ledger:read",), None)):
        headers = auth_header(ledger_settings, *scopes, partner_id=partner)
        assert (await ledger_client.get("/reconciliation?period=2026-Q1", headers=headers)).status_code == 403
    for scopes in (("finance:read",), ("audit:read",), ("program:admin",)):
        body = {"currency": "USD", "reward_expense": "1", "mdf_usage": "1", "payouts": "1"}
        put = await ledger_client.put(
            "/reconciliation/forecasts/2026-Q1", json=body, headers=auth_header(ledger_settings, *scopes)
        )
        assert put.status_code == 403
    auditor = auth_header(ledger_settings, "audit:read")
    assert (await ledger_client.get("/reconciliation?period=2026-Q9", headers=auditor)).status_code == 422
