"""The payout cut's measure: lock every partner payable in a currency and measure what each has due,
chunk by chunk (the statements are in ``payout_cut.py``).

Each chunk is consecutive partners in id order. Before a chunk is handed to the caller, the next
chunk's gap totals are sent, so PostgreSQL totals them while the caller builds and chains this
chunk's lines: one connection, no thread (a thread building beside the event loop made it wait for
the GIL at every statement).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Coroutine
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from ..application.payout_ports import PartnerDue
from ..domain.chain import ChainHead
from .payout_cut import (
    CHUNK_RUNS,
    CUT_SETTINGS,
    DROP_SPLIT_GAPS,
    GAPS_TABLE,
    LOCK_PAYABLE_PARTNERS,
    MEASURE,
    PARTNERS_TABLE,
    RUNS_TABLE,
    SPLIT_RUNS,
)


async def lock_and_measure(
    conn: AsyncConnection, currency: str, cutoff: datetime, minimum: Decimal, *, chunk_size: int
) -> AsyncGenerator[list[PartnerDue], None]:
    locked = await conn.execute(LOCK_PAYABLE_PARTNERS, {"currency": currency, "minimum": minimum})
    ids = [r.partner_id for r in locked]
    if not ids:
        return
    await conn.execute(PARTNERS_TABLE, {"ids": ids, "currency": currency, "chunk_size": chunk_size})
    await conn.execute(text("ANALYZE payout_partners"))  # temp tables get no statistics otherwise
    for setting in CUT_SETTINGS:
        await conn.execute(setting)
    await conn.execute(GAPS_TABLE, {"currency": currency})
    await conn.execute(text("ANALYZE payout_gaps"))
    for statement in RUNS_TABLE:  # the table's columns are the gap totals' (no chunk's rows: WITH NO DATA)
        await conn.execute(statement, {"currency": currency, "cutoff": cutoff, "chunk": -1})
    chunks = (len(ids) + chunk_size - 1) // chunk_size
    runs = await _started(_chunk_runs(conn, 0, currency, cutoff))
    try:
        for chunk in range(chunks):
            await runs
            rows = await conn.execute(MEASURE, {"chunk": chunk})
            dues = [
                PartnerDue(
                    partner_id=r.partner_id,
                    due=r.due,
                    payable_now=r.payable_now,
                    entries_covered=r.n,
                    coverage_hash=r.coverage_hash,
                    registration_sequence=r.registration_sequence,
                    payout_head=ChainHead(r.payout_sequence, r.payout_hash),
                )
                for r in rows
            ]
            if chunk + 1 < chunks:
                runs = await _started(_chunk_runs(conn, chunk + 1, currency, cutoff))
            yield dues
    finally:
        await asyncio.gather(runs, return_exceptions=True)  # the connection is free when this ends


async def _chunk_runs(conn: AsyncConnection, chunk: int, currency: str, cutoff: datetime) -> None:
    parameters = {"currency": currency, "cutoff": cutoff, "chunk": chunk}
    if (await conn.execute(CHUNK_RUNS, parameters)).scalar_one():
        await conn.execute(SPLIT_RUNS, parameters)
        await conn.execute(DROP_SPLIT_GAPS)


async def _started(statements: Coroutine[Any, Any, None]) -> asyncio.Future[None]:
    """``statements`` as a task, let run until it waits on PostgreSQL (its first statement sent)."""
    task = asyncio.ensure_future(statements)
    await asyncio.sleep(0)
    return task
