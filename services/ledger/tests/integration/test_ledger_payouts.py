"""Payout batches against PostgreSQL: cut, lines (JSON, CSV), acknowledgements, and holds after payouts.

Program ``default``, tier registered: 5 % rebate of won revenue, 1 % into the MDF fund.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import asyncpg
from ledger.adapters.store import SqlLedgerStore
from ledger.application.projector import project
from ledger.domain.outcome import entry_id
from ledger_support import enrolled, flagged, incoming, reversed_, won
from servicekit.db import sync_url
from servicekit.testing.client import auth_header

D = Decimal
FEB = "2026-02-28T23:59:59Z"
MAR = "2026-03-31T23:59:59Z"


async def _project(uow_factory, payloads):  # type: ignore[no-untyped-def]
    events = [incoming(p) for p in payloads]
    async with uow_factory() as uow:
        assert await project(SqlLedgerStore(uow), events) == []
        await uow.commit()
    return [e.event_id for e in events]


async def _owed(client, settings, pid):  # type: ignore[no-untyped-def]
    """Credit-normal balances of the partner's reward accounts by purpose (zeros left out)."""
    body = (await client.get(f"/partners/{pid}/balances", headers=auth_header(settings, "ledger:read"))).json()
    return {b["purpose"]: D(b["balance"]) for b in body["balances"] if b["fund"] == "rewards" and D(b["balance"])}


async def _cut(client, settings, cutoff, minimum="0", key=None):  # type: ignore[no-untyped-def]
    headers = auth_header(settings, "finance:write") | {"Idempotency-Key": key or f"cut-{cutoff}-{minimum}"}
    return await client.post(
        "/payout-batches", json={"currency": "USD", "cutoff": cutoff, "minimum_amount": minimum}, headers=headers
    )


async def _ack(client, settings, batch_id, lines, key):  # type: ignore[no-untyped-def]
    headers = auth_header(settings, "finance:write") | {"Idempotency-Key": key}
    return await client.post(f"/payout-batches/{batch_id}/acknowledgements", json={"lines": lines}, headers=headers)


async def test_a_cut_pays_what_is_payable_by_the_cutoff_above_the_minimum(ledger_client, ledger_settings, uow_factory):
    ids = await _project(
        uow_factory,
        [
            enrolled("acme", program_id="default"),
            enrolled("zeta", program_id="default"),
            enrolled("tiny", program_id="default"),
            won("d1", "1000.00", date(2026, 2, 1)),  # 50.00
            won("d2", "3000.00", date(2026, 3, 10)),  # 150.00, after the February cutoff
            won("z1", "999.00", date(2026, 2, 1), pid="zeta"),  # 49.95
            won("t1", "100.00", date(2026, 2, 1), pid="tiny"),  # 5.00, below the minimum
        ],
    )
    response = await _cut(ledger_client, ledger_settings, FEB, "10.00")
    assert response.status_code == 201, response.text
    batch = response.json()
    assert (batch["status"], batch["line_count"], batch["total"], batch["currency"]) == ("open", 2, "99.95", "USD")
    assert len(batch["content_hash"]) == 64

    assert await _owed(ledger_client, ledger_settings, "acme") == {
        "rebates_payable": D("150.00"),
        "rebates_in_payment": D("50.00"),
    }
    assert await _owed(ledger_client, ledger_settings, "tiny") == {"rebates_payable": D("5.00")}

    reader = auth_header(ledger_settings, "finance:read")
    lines = (await ledger_client.get(f"/payout-batches/{batch['batch_id']}/lines", headers=reader)).json()
    assert [(x["partner_id"], x["amount"], x["status"]) for x in lines["items"]] == [
        ("acme", "50.00", "in_payment"),
        ("zeta", "49.95", "in_payment"),
    ]
    assert lines["items"][0]["covered_entry_ids"] == [entry_id(ids[3], "rebate")]
    assert lines["items"][1]["covered_entry_ids"] == [entry_id(ids[5], "rebate")]
    assert lines["items"][0]["payee_reference"] == "PIL-20260228235959-USD-acme"

    exported = await ledger_client.get(f"/payout-batches/{batch['batch_id']}/lines?format=csv", headers=reader)
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["partner_id"], r["amount"], r["currency"], r["covered_entry_ids"]) for r in rows] == [
        ("acme", "50.00", "USD", entry_id(ids[3], "rebate")),
        ("zeta", "49.95", "USD", entry_id(ids[5], "rebate")),
    ]
    assert {r["batch_content_hash"] for r in rows} == {batch["content_hash"]}

    again = await _cut(ledger_client, ledger_settings, FEB, "10.00", key="another-key")
    assert (again.status_code, again.json()["batch_id"]) == (200, batch["batch_id"])
    other_minimum = await _cut(ledger_client, ledger_settings, FEB, "20.00")
    assert other_minimum.status_code == 409
    listed = (await ledger_client.get("/payout-batches?status=open", headers=reader)).json()
    assert [b["batch_id"] for b in listed["items"]] == [batch["batch_id"]]


async def test_acknowledgements_settle_or_return_the_money_once(ledger_client, ledger_settings, uow_factory):
    ids = await _project(
        uow_factory,
        [
            enrolled("acme", program_id="default"),
            enrolled("zeta", program_id="default"),
            won("d1", "1000.00", date(2026, 2, 1)),  # 50.00
            won("z1", "999.00", date(2026, 2, 1), pid="zeta"),  # 49.95
            won("d2", "3000.00", date(2026, 3, 10)),  # 150.00
        ],
    )
    batch = (await _cut(ledger_client, ledger_settings, FEB)).json()
    acks = [
        {"partner_id": "acme", "status": "paid", "payment_reference": "SEPA-1"},
        {"partner_id": "zeta", "status": "failed", "reason": "IBAN closed"},
    ]
    done = await _ack(ledger_client, ledger_settings, batch["batch_id"], acks, "ack-1")
    assert done.status_code == 200, done.text
    assert done.json()["batch"]["status"] == "settled"
    assert [(x["partner_id"], x["status"]) for x in done.json()["lines"]] == [("acme", "paid"), ("zeta", "failed")]
    assert await _owed(ledger_client, ledger_settings, "acme") == {
        "rebates_payable": D("150.00"),
        "rebates_paid": D("50.00"),
    }
    assert await _owed(ledger_client, ledger_settings, "zeta") == {"rebates_payable": D("49.95")}

    # The same outcome again (another key) changes nothing; a different outcome is refused.
    repeat = await _ack(ledger_client, ledger_settings, batch["batch_id"], acks, "ack-2")
    assert repeat.status_code == 200
    flip = [{"partner_id": "acme", "status": "failed", "reason": "oops"}]
    assert (await _ack(ledger_client, ledger_settings, batch["batch_id"], flip, "ack-3")).status_code == 409
    assert await _owed(ledger_client, ledger_settings, "acme") == {
        "rebates_payable": D("150.00"),
        "rebates_paid": D("50.00"),
    }

    # March pays d2 for acme, and zeta's failed 49.95 again (the same entry, in a second line).
    march = (await _cut(ledger_client, ledger_settings, MAR)).json()
    assert (march["line_count"], march["total"]) == (2, "199.95")
    reader = auth_header(ledger_settings, "finance:read")
    lines = (await ledger_client.get(f"/payout-batches/{march['batch_id']}/lines", headers=reader)).json()["items"]
    assert [(x["partner_id"], x["amount"], x["covered_entry_ids"]) for x in lines] == [
        ("acme", "150.00", [entry_id(ids[4], "rebate")]),
        ("zeta", "49.95", [entry_id(ids[3], "rebate")]),
    ]
    conn = await asyncpg.connect(sync_url(ledger_settings.database_url))
    try:
        kinds = [r["event_type"] for r in await conn.fetch("SELECT event_type FROM outbox ORDER BY id")]
        assert kinds.count("ledger.payout_batched") == 4
        assert kinds.count("ledger.payout_settled") == 1
        assert kinds.count("ledger.payout_failed") == 1
        payout_chain = await conn.fetch(
            "SELECT kind, sequence FROM journal_entries WHERE partner_id = 'zeta' AND stream = 'payout' "
            "ORDER BY sequence"
        )
        assert [(r["kind"], r["sequence"]) for r in payout_chain] == [
            ("payout", 1),
            ("payout_failed", 2),
            ("payout", 3),
        ]
    finally:
        await conn.close()


async def test_a_hold_after_a_payout_holds_only_what_is_still_payable(ledger_client, ledger_settings, uow_factory):
    await _project(
        uow_factory,
        [enrolled("acme", program_id="default"), won("d1", "1000.00", date(2026, 2, 1))],  # 50.00
    )
    await _cut(ledger_client, ledger_settings, FEB)
    await _project(
        uow_factory,
        [
            won("d2", "600.00", date(2026, 3, 2)),  # 30.00 payable
            flagged("d1", date(2026, 3, 3)),  # d1's 50.00 is in payment: only 30.00 can be held
        ],
    )
    assert await _owed(ledger_client, ledger_settings, "acme") == {
        "rebates_held": D("30.00"),
        "rebates_in_payment": D("50.00"),
    }
    # d1 refunded in full: 30.00 comes back from held, 20.00 from payable (the partner owes it).
    await _project(uow_factory, [reversed_("d1", "1000.00", date(2026, 3, 20), full=True)])
    assert await _owed(ledger_client, ledger_settings, "acme") == {
        "rebates_payable": D("-20.00"),
        "rebates_in_payment": D("50.00"),
    }
    # A later reward nets against what is owed: 40.00 - 20.00.
    await _project(uow_factory, [won("d3", "800.00", date(2026, 4, 1))])
    assert (await _owed(ledger_client, ledger_settings, "acme"))["rebates_payable"] == D("20.00")


async def test_a_partner_reduced_after_the_cutoff_waits_for_the_next_batch(ledger_client, ledger_settings, uow_factory):
    await _project(
        uow_factory,
        [
            enrolled("acme", program_id="default"),
            won("d1", "1000.00", date(2026, 2, 1)),  # 50.00 by the February cutoff
            flagged("d1", date(2026, 3, 5)),  # held after the cutoff: nothing is payable now
        ],
    )
    batch = (await _cut(ledger_client, ledger_settings, FEB)).json()
    assert (batch["line_count"], batch["status"]) == (0, "settled")
    assert await _owed(ledger_client, ledger_settings, "acme") == {"rebates_held": D("50.00")}


async def test_bad_cuts_and_acknowledgements_change_nothing(ledger_client, ledger_settings, uow_factory):
    await _project(uow_factory, [enrolled("acme", program_id="default"), won("d1", "1000.00", date(2026, 2, 1))])
    future = await _cut(ledger_client, ledger_settings, "2999-01-01T00:00:00Z")
    assert future.status_code == 422
    assert future.headers["content-type"].startswith("application/problem+json")
    naive = await _cut(ledger_client, ledger_settings, "2026-02-28T00:00:00")
    assert naive.status_code == 422
    batch = (await _cut(ledger_client, ledger_settings, FEB)).json()
    unknown = await _ack(
        ledger_client,
        ledger_settings,
        batch["batch_id"],
        [{"partner_id": "ghost", "status": "paid", "payment_reference": "x"}],
        "k1",
    )
    assert unknown.status_code == 422
    no_reference = await _ack(
        ledger_client, ledger_settings, batch["batch_id"], [{"partner_id": "acme", "status": "paid"}], "k2"
    )
    assert no_reference.status_code == 422
    missing = await _ack(
        ledger_client,
        ledger_settings,
        "no-such-batch",
        [{"partner_id": "acme", "status": "paid", "payment_reference": "x"}],
        "k3",
    )
    assert missing.status_code == 404
    assert await _owed(ledger_client, ledger_settings, "acme") == {"rebates_in_payment": D("50.00")}


async def test_only_finance_cuts_and_partners_read_only_their_own_lines(ledger_client, ledger_settings, uow_factory):
    await _project(
        uow_factory,
        [
            enrolled("acme", program_id="default"),
            enrolled("zeta", program_id="default"),
            won("d1", "1000.00", date(2026, 2, 1)),
            won("z1", "999.00", date(2026, 2, 1), pid="zeta"),
        ],
    )
    body = {"currency": "USD", "cutoff": FEB}
    for scopes in (("finance:read",), ("audit:read",), ("program:admin",), ("ledger:read",)):
        headers = auth_header(ledger_settings, *scopes) | {"Idempotency-Key": "x"}
        assert (await ledger_client.post("/payout-batches", json=body, headers=headers)).status_code == 403
    batch = (await _cut(ledger_client, ledger_settings, FEB)).json()
    acme = auth_header(ledger_settings, "partner:read", partner_id="acme")
    assert (await ledger_client.get("/payout-batches", headers=acme)).status_code == 403
    assert (await ledger_client.get(f"/payout-batches/{batch['batch_id']}/lines", headers=acme)).status_code == 403
    own = (await ledger_client.get("/partners/acme/payouts", headers=acme)).json()
    assert [(x["partner_id"], x["amount"]) for x in own["items"]] == [("acme", "50.00")]
    assert (await ledger_client.get("/partners/zeta/payouts", headers=acme)).status_code == 404
