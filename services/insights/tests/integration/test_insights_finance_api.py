"""Finance views: payout batches and lines projected from the ledger's payout events, and the
quarterly reconciliation read from the ledger's API with the caller's token."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from incentive_contracts.events import ledger as led
from insights.bootstrap import bootstrap
from insights.config import InsightsSettings
from insights.entrypoints.api import create_app
from money_events import Fed, feed_events, usd
from peer_stubs import Recorded, ledger_stub
from servicekit.testing.client import app_client, auth_header

CUT = datetime(2026, 6, 30, tzinfo=UTC)
PAID = datetime(2026, 7, 3, 9, tzinfo=UTC)


def batched(batch_id: str, line_id: str, partner_id: str, amount: str) -> Fed:
    event = led.LedgerPayoutBatched(
        partner_id=partner_id,
        batch_id=batch_id,
        line_id=line_id,
        entry_id=f"je-{line_id}",
        amount=usd(amount),
        cutoff=CUT,
        payee_reference=f"PAY-{line_id}",
        entries_covered=2,
        coverage_hash="0" * 64,
        registration_sequence=4,
    )
    return Fed(event, time=datetime(2026, 7, 1, tzinfo=UTC))


SETTLED = led.LedgerPayoutSettled(
    partner_id="p-1",
    batch_id="b-1",
    line_id="l-1",
    entry_id="je-paid-l-1",
    amount=usd("100.00"),
    payment_reference="SEPA-1",
    paid_at=PAID,
    registration_sequence=5,
)
FAILED = led.LedgerPayoutFailed(
    partner_id="p-2",
    batch_id="b-1",
    line_id="l-2",
    entry_id="je-failed-l-2",
    amount=usd("50.00"),
    reason="IBAN closed",
    failed_at=PAID,
    registration_sequence=5,
)


async def test_payout_batches_and_their_lines(insights_settings: InsightsSettings) -> None:
    events = [batched("b-1", "l-1", "p-1", "100.00"), batched("b-1", "l-2", "p-2", "50.00"), SETTLED, FAILED]
    events += [batched("b-2", "l-3", "p-1", "70.00")]
    assert await feed_events(insights_settings, events) == 0
    finance = auth_header(insights_settings, "finance:read")
    async with app_client(create_app(insights_settings)) as client:
        batches = (await client.get("/finance/payout-batches", headers=finance)).json()["items"]
        assert [(b["batch_id"], b["status"], b["lines"]) for b in batches] == [
            ("b-1", "settled", 2),
            ("b-2", "open", 1),
        ]
        assert {k: batches[0][k]["amount"] for k in ("total", "in_payment", "paid", "failed")} == {
            "total": "150.00",
            "in_payment": "0.00",
            "paid": "100.00",
            "failed": "50.00",
        }
        open_only = (await client.get("/finance/payout-batches", params={"status": "open"}, headers=finance)).json()
        assert [b["batch_id"] for b in open_only["items"]] == ["b-2"]

        lines = (await client.get("/finance/payout-batches/b-1/lines", headers=finance)).json()["items"]
        assert [(x["line_id"], x["partner_id"], x["status"], x["amount"]["amount"]) for x in lines] == [
            ("l-1", "p-1", "paid", "100.00"),
            ("l-2", "p-2", "failed", "50.00"),
        ]
        assert (lines[0]["payment_reference"], lines[1]["failure_reason"]) == ("SEPA-1", "IBAN closed")
        csv = await client.get("/finance/payout-batches/b-1/lines", params={"format": "csv"}, headers=finance)
        assert csv.text.split("\r\n")[0].startswith("line_id,batch_id,partner_id,amount.amount,amount.currency")
        assert (await client.get("/finance/payout-batches/b-9", headers=finance)).status_code == 404
        assert (await client.get("/finance/payout-batches/b-9/lines", headers=finance)).status_code == 404
        partner = auth_header(insights_settings, "partner:read", partner_id="p-1")
        assert (await client.get("/finance/payout-batches", headers=partner)).status_code == 403
        bad = await client.get("/finance/payout-batches", params={"status": "paid"}, headers=finance)
        assert bad.status_code == 422


async def test_the_reconciliation_is_the_ledgers_read_with_the_callers_token(
    insights_settings: InsightsSettings,
) -> None:
    recorded = Recorded()
    container = bootstrap(insights_settings, ledger=ledger_stub(recorded))
    finance = auth_header(insights_settings, "finance:read")
    async with app_client(create_app(container=container)) as client:
        answer = await client.get("/finance/reconciliation", params={"period": "2026-Q2"}, headers=finance)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert (body["period"], body["from"], body["balanced"]) == ("2026-Q2", "2026-04-01T00:00:00Z", True)
        assert body["forecast_vs_actual"][0] == {
            "name": "reward_expense",
            "currency": "USD",
            "expected": "1000.00",
            "actual": "1200.00",
            "difference": "200.00",
            "ok": False,
            "note": None,
        }
        assert recorded.calls == [{"path": "/reconciliation", "authorization": finance["Authorization"]}]
        csv = await client.get(
            "/finance/reconciliation", params={"period": "2026-Q2", "format": "csv"}, headers=finance
        )
        assert csv.text.split("\r\n")[1].startswith("reward_expense,USD,1000.00,1200.00,200.00,false")
        bad = await client.get("/finance/reconciliation", params={"period": "2026-Q9"}, headers=finance)
        assert bad.status_code == 422
        assert len(recorded.calls) == 2  # the invalid period never reached the ledger

    unreachable = bootstrap(insights_settings, ledger=httpx.AsyncClient(base_url="http://127.0.0.1:1"))
    async with app_client(create_app(container=unreachable)) as client:
        failed = await client.get("/finance/reconciliation", params={"period": "2026-Q2"}, headers=finance)
        assert failed.status_code == 200
        assert (failed.json()["available"], failed.json()["forecast_vs_actual"]) == (False, [])
        assert failed.json()["error"].startswith("the ledger could not be read")
