"""Migration 0011 on a ledger with data: postings written before it get their entry's stream and
position, per-entry payout coverage becomes the same ranges the ranged cut writes, and back."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import asyncpg
import pytest
from alembic import command
from ledger.adapters.store import SqlLedgerStore
from ledger.application.projector import project
from ledger_support import enrolled, flagged, incoming, reversed_, won
from servicekit.db import sync_url
from servicekit.migrations import alembic_config
from servicekit.testing.client import auth_header

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"
FEB = "2026-02-28T23:59:59Z"
MAR = "2026-03-31T23:59:59Z"

COVERED = """
SELECT e.entry_id, c.line_id, c.amount FROM payout_coverage c JOIN journal_entries e ON e.posted_seq = c.posted_seq
ORDER BY e.entry_id
"""
RANGES = "SELECT * FROM payout_coverage_ranges ORDER BY line_id, stream, from_sequence"
POSITIONS = """
SELECT count(*) FILTER (WHERE p.stream IS DISTINCT FROM e.stream OR p.sequence IS DISTINCT FROM e.sequence) AS wrong,
       count(*) AS n
FROM postings p JOIN journal_entries e ON e.entry_id = p.entry_id
"""


async def _cut(client, settings, cutoff):  # type: ignore[no-untyped-def]
    headers = auth_header(settings, "finance:write") | {"Idempotency-Key": f"cut-{cutoff}"}
    body = {"currency": "USD", "cutoff": cutoff, "minimum_amount": "0"}
    response = await client.post("/payout-batches", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def test_0011_backfills_positions_and_turns_coverage_into_ranges(ledger_client, ledger_settings, uow_factory):  # type: ignore[no-untyped-def]
    payloads = [
        enrolled("acme", program_id="default"),
        enrolled("zeta", program_id="default"),
        won("a1", "1000.00", date(2026, 2, 1)),
        won("a2", "2000.00", date(2026, 3, 10)),  # after the February cutoff: splits acme's March line
        won("a3", "3000.00", date(2026, 2, 5)),
        won("a4", "500.00", date(2026, 2, 6)),
        flagged("a4", date(2026, 2, 7)),  # held
        won("z1", "999.00", date(2026, 2, 1), pid="zeta"),
        won("z2", "800.00", date(2026, 3, 20), pid="zeta"),
        reversed_("z1", "300.00", date(2026, 3, 25), pid="zeta"),
        won("z3", "700.00", date(2026, 2, 2), pid="zeta"),
    ]
    async with uow_factory() as uow:
        assert await project(SqlLedgerStore(uow), [incoming(p) for p in payloads]) == []
        await uow.commit()
    feb = await _cut(ledger_client, ledger_settings, FEB)
    acks = [{"partner_id": "zeta", "status": "failed", "reason": "IBAN closed"}]
    headers = auth_header(ledger_settings, "finance:write") | {"Idempotency-Key": "ack"}
    url = f"/payout-batches/{feb['batch_id']}/acknowledgements"
    assert (await ledger_client.post(url, json={"lines": acks}, headers=headers)).status_code == 200
    await _cut(ledger_client, ledger_settings, MAR)

    url = sync_url(ledger_settings.database_url)
    conn = await asyncpg.connect(url)
    try:
        covered = [tuple(r) for r in await conn.fetch(COVERED)]
        ranges = [tuple(r) for r in await conn.fetch(RANGES)]
        assert len(covered) == 9  # a4: its rebate and its hold
        assert len(ranges) >= 3
        assert await conn.fetchval(POSITIONS) == 0  # written by the projector and the payout store
    finally:
        await conn.close()

    config = alembic_config(ALEMBIC_INI, ledger_settings.database_url)
    await asyncio.to_thread(command.downgrade, config, "0010")
    conn = await asyncpg.connect(url)
    try:
        # Before 0011: one coverage row per entry, the same rows; postings without stream or position.
        assert [tuple(r) for r in await conn.fetch(COVERED)] == covered
        columns = await conn.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'postings' ORDER BY 1"
        )
        assert {"stream", "sequence"}.isdisjoint({r["column_name"] for r in columns})
    finally:
        await conn.close()

    await asyncio.to_thread(command.upgrade, config, "0011")
    conn = await asyncpg.connect(url)
    try:
        positions = await conn.fetchrow(POSITIONS)
        assert (positions["wrong"], positions["n"] > 0) == (0, True)
        assert [tuple(r) for r in await conn.fetch(RANGES)] == ranges
        assert [tuple(r) for r in await conn.fetch(COVERED)] == covered
        # The database refuses an entry in two open or paid lines: a range overlapping another.
        line, partner, currency, stream, _, last = ranges[0]
        other = await conn.fetchval("SELECT line_id FROM payout_lines WHERE line_id <> $1 LIMIT 1", line)
        with pytest.raises(asyncpg.IntegrityConstraintViolationError, match="covers entries of partner"):
            await conn.execute(
                "INSERT INTO payout_coverage_ranges VALUES ($1, $2, $3, $4, $5, $6)",
                other, partner, currency, stream, last, last + 5,
            )  # fmt: skip
    finally:
        await conn.close()
