"""Double-payout race: 100 concurrent cut and acknowledgement calls (with retries and repeated keys) while
the projector posts more rewards for the same partners. Money is conserved, each entry is paid at most
once, there is one batch per currency and cutoff, and every batch's totals equal the entries it covers.

Program ``default``, tier registered: 5 % rebate. Each partner earns USD 50.00 (Feb 1) + 100.00 (Mar 15)
and EUR 25.00 (Feb 10); partners p00-p09 earn USD 20.00 more (Feb 20) while the calls run.
"""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal

import asyncpg
import httpx
from ledger.adapters.store import SqlLedgerStore
from ledger.application.projector import project
from ledger.domain.payouts import batch_id
from ledger_support import enrolled, incoming, won
from servicekit.db import sync_url
from servicekit.testing.client import auth_header

D = Decimal
PARTNERS = [f"p{i:02d}" for i in range(30)]
FEB = datetime(2026, 2, 28, 23, 59, 59, tzinfo=UTC)
MAR = datetime(2026, 3, 31, 23, 59, 59, tzinfo=UTC)
FINAL = {"paid": None, "failed": None}


async def _project(uow_factory, payloads):  # type: ignore[no-untyped-def]
    async with uow_factory() as uow:
        assert await project(SqlLedgerStore(uow), [incoming(p) for p in payloads]) == []
        await uow.commit()


async def _call(client: httpx.AsyncClient, method: str, url: str, body: dict, headers: dict) -> httpx.Response:  # type: ignore[type-arg]
    """Send until the answer is final: in flight (409 'Request in flight'), not cut yet (404) and server
    errors are retried with the same Idempotency-Key, like a finance client would."""
    for _ in range(400):
        response = await client.request(method, url, json=body, headers=headers)
        retry = (
            response.status_code >= 500
            or response.status_code == 404
            or (response.status_code == 409 and response.json().get("title") == "Request in flight")
        )
        if not retry:
            return response
        await asyncio.sleep(random.uniform(0.01, 0.05))
    raise AssertionError(f"{method} {url} never got a final answer: {response.status_code} {response.text}")


async def test_concurrent_cuts_and_acknowledgements_pay_each_entry_at_most_once(
    ledger_client, ledger_settings, uow_factory
):
    setup = [enrolled(p, program_id="default") for p in PARTNERS]
    for p in PARTNERS:
        setup += [
            won(f"{p}-a", "1000.00", date(2026, 2, 1), pid=p),
            won(f"{p}-b", "2000.00", date(2026, 3, 15), pid=p),
            won(f"{p}-e", "500.00", date(2026, 2, 10), pid=p, currency="EUR"),
        ]
    await _project(uow_factory, setup)
    finance = auth_header(ledger_settings, "finance:write")
    usd_feb, eur_feb = batch_id("USD", FEB), batch_id("EUR", FEB)

    calls = []
    for i in range(40):  # cuts: USD and EUR as of February, USD as of March; keys repeat (lost responses)
        currency, cutoff = [("USD", FEB), ("EUR", FEB), ("USD", MAR), ("USD", FEB)][i % 4]
        body = {"currency": currency, "cutoff": cutoff.isoformat(), "minimum_amount": "10.00"}
        calls.append(("POST", "/payout-batches", body, finance | {"Idempotency-Key": f"cut-{i % 12}"}))
    for i in range(60):  # acknowledgements of the February batches, each sent by several clients
        partner = PARTNERS[i % len(PARTNERS)]
        target = usd_feb if i % 3 else eur_feb
        outcome = (
            {"status": "failed", "reason": "account closed"}
            if int(partner[1:]) % 5 == 0
            else {"status": "paid", "payment_reference": f"PAY-{target[:8]}-{partner}"}
        )
        body = {"lines": [{"partner_id": partner, **outcome}]}
        calls.append(
            ("POST", f"/payout-batches/{target}/acknowledgements", body, finance | {"Idempotency-Key": f"ack-{i}"})
        )
    random.Random(7).shuffle(calls)

    async def late_rewards() -> None:
        for p in PARTNERS[:10]:
            await _project(uow_factory, [won(f"{p}-late", "400.00", date(2026, 2, 20), pid=p)])

    responses = await asyncio.gather(*(_call(ledger_client, m, u, b, h) for m, u, b, h in calls), late_rewards())
    for response in responses[:-1]:
        assert response.status_code in (200, 201, 422), response.text  # 422: a line another cut paid first

    # Every cut call named one of three batches, and its answer (first or replayed) agrees.
    cut_ids = {r.json()["batch_id"] for r in responses[:-1] if r.request.url.path == "/payout-batches"}
    assert cut_ids == {usd_feb, eur_feb, batch_id("USD", MAR)}

    conn = await asyncpg.connect(sync_url(ledger_settings.database_url))
    try:
        batches = await conn.fetch("SELECT currency, cutoff, total, line_count, batch_id FROM payout_batches")
        assert sorted((b["currency"], b["cutoff"]) for b in batches) == [("EUR", FEB), ("USD", FEB), ("USD", MAR)]
        # Batch totals equal their lines, and each line equals the entries it covers.
        for b in batches:
            lines = await conn.fetch("SELECT line_id, amount FROM payout_lines WHERE batch_id = $1", b["batch_id"])
            assert (len(lines), sum((x["amount"] for x in lines), D(0))) == (b["line_count"], b["total"])
        # Each open or paid line equals the entries it covers; a failed line covers none any more.
        mismatched = await conn.fetch(
            "SELECT l.line_id FROM payout_lines l LEFT JOIN payout_coverage c ON c.line_id = l.line_id "
            "GROUP BY l.line_id, l.amount, l.status "
            "HAVING coalesce(sum(c.amount), 0) <> CASE WHEN l.status = 'failed' THEN 0 ELSE l.amount END"
        )
        assert mismatched == []
        # An entry is in at most one open or paid line (the coverage key is the entry), of its own partner.
        foreign = await conn.fetch(
            "SELECT c.posted_seq FROM payout_coverage c JOIN payout_lines l ON l.line_id = c.line_id "
            "JOIN journal_entries e ON e.posted_seq = c.posted_seq WHERE e.partner_id <> l.partner_id"
        )
        assert foreign == []
        # Each line has at most one outcome entry, and outcome entries match the lines acknowledged.
        outcomes = await conn.fetch(
            "SELECT explanation->>'line_id' AS line_id, count(*) AS n FROM journal_entries "
            "WHERE kind IN ('payout_settled', 'payout_failed') GROUP BY 1"
        )
        assert all(r["n"] == 1 for r in outcomes)
        acknowledged = await conn.fetchval("SELECT count(*) FROM payout_lines WHERE status <> 'in_payment'")
        assert len(outcomes) == acknowledged

        # Money is conserved per partner and currency, and the balances agree with the lines.
        balances = await conn.fetch(
            "SELECT partner_id, split_part(account, ':', 3) AS purpose, currency, 0 - balance AS owed "
            "FROM balances WHERE account LIKE 'partner:%:rebates_%'"
        )
        owed: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(dict)
        for r in balances:
            owed[(r["partner_id"], r["currency"])][r["purpose"]] = r["owed"]
        per_line = await conn.fetch(
            "SELECT partner_id, currency, status, sum(amount) AS amount FROM payout_lines GROUP BY 1, 2, 3"
        )
        lines_by = {(r["partner_id"], r["currency"], r["status"]): r["amount"] for r in per_line}
        for p in PARTNERS:
            usd = owed[(p, "USD")]
            expected_usd = D("170.00") if int(p[1:]) < 10 else D("150.00")
            assert sum(usd.values(), D(0)) == expected_usd, (p, usd)
            assert sum(owed[(p, "EUR")].values(), D(0)) == D("25.00")
            for currency in ("USD", "EUR"):
                accounts = owed[(p, currency)]
                assert accounts.get("rebates_paid", D(0)) == lines_by.get((p, currency, "paid"), D(0))
                assert accounts.get("rebates_in_payment", D(0)) == lines_by.get((p, currency, "in_payment"), D(0))
        # What is payable is exactly what no open or paid line covers.
        uncovered = await conn.fetch(
            """
            SELECT p.partner_id, p.currency, 0 - sum(p.amount) AS amount FROM postings p
            JOIN journal_entries e ON e.entry_id = p.entry_id
            WHERE p.account = 'partner:' || p.partner_id || ':rebates_payable' AND e.stream <> 'payout'
              AND NOT EXISTS (SELECT 1 FROM payout_coverage c WHERE c.posted_seq = e.posted_seq)
            GROUP BY 1, 2
            """
        )
        for r in uncovered:
            assert owed[(r["partner_id"], r["currency"])].get("rebates_payable", D(0)) == r["amount"]
    finally:
        await conn.close()
