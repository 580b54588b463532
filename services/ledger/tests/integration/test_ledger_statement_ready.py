"""Cutting a payout batch announces each partner's statement as ready (``ledger.statement_ready``, one
per line, its event id derived from the line): the statement of the cutoff's quarter to date, in the
line's currency. A partner below the minimum gets no line and no notice; a second cut adds nothing."""

from __future__ import annotations

import json
from datetime import date

import asyncpg
from ledger.adapters.store import SqlLedgerStore
from ledger.application.projector import project
from ledger.domain.payouts import statement_event_id
from ledger_support import enrolled, incoming, won
from servicekit.db import sync_url
from servicekit.testing.client import auth_header

FEB = "2026-02-28T23:59:59Z"


async def test_a_cut_announces_one_statement_ready_per_line(ledger_client, ledger_settings, uow_factory):
    payloads = [
        enrolled("acme", program_id="default"),
        enrolled("tiny", program_id="default"),
        won("d1", "1000.00", date(2026, 2, 1)),  # 50.00
        won("t1", "100.00", date(2026, 2, 1), pid="tiny"),  # 5.00, below the minimum
    ]
    async with uow_factory() as uow:
        assert await project(SqlLedgerStore(uow), [incoming(p) for p in payloads]) == []
        await uow.commit()
    headers = auth_header(ledger_settings, "finance:write")
    body = {"currency": "USD", "cutoff": FEB, "minimum_amount": "10.00"}
    cut = await ledger_client.post("/payout-batches", json=body, headers=headers | {"Idempotency-Key": "c1"})
    assert cut.status_code == 201, cut.text
    again = await ledger_client.post("/payout-batches", json=body, headers=headers | {"Idempotency-Key": "c2"})
    assert again.status_code == 200, again.text
    reader = auth_header(ledger_settings, "finance:read")
    [line] = (await ledger_client.get(f"/payout-batches/{cut.json()['batch_id']}/lines", headers=reader)).json()[
        "items"
    ]

    conn = await asyncpg.connect(sync_url(ledger_settings.database_url))
    try:
        rows = await conn.fetch(
            "SELECT event_id, payload FROM outbox WHERE event_type = 'ledger.statement_ready' ORDER BY id"
        )
    finally:
        await conn.close()
    [row] = rows
    assert str(row["event_id"]) == statement_event_id(line["line_id"])
    payload = row["payload"]
    event = json.loads(payload if isinstance(payload, str | bytes) else json.dumps(payload))
    data = event.get("data", event)
    assert (data["partner_id"], data["currency"], data["amount"]) == (
        "acme",
        "USD",
        {"amount": "50.00", "currency": "USD"},
    )
    assert (data["period_from"], data["period_to"], data["entries_covered"]) == ("2026-01-01", "2026-02-28", 1)
    assert data["statement_path"] == "/partners/acme/statement?from=2026-01-01&to=2026-02-28&currency=USD"
    statement = await ledger_client.get(data["statement_path"], headers=auth_header(ledger_settings, "ledger:read"))
    assert statement.status_code == 200, statement.text
