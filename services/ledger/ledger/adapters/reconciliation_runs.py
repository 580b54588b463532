"""Stored runs of the cross-service reconciliation: written by `ledger reconcile`, read by the API
(its answers and its /metrics gauges)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from ..application.service_reconciliation import ReconciliationRun, run_json
from .tables import service_reconciliation_runs as runs


class SqlRunLog:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def record(self, run: ReconciliationRun) -> int:
        row = run_json(run)
        values = {k: row[k] for k in ("started_at", "finished_at", "run_by", "error", "difference_count", "counts",
                                      "compared", "differences", "information")}  # fmt: skip
        return int((await self.conn.execute(insert(runs).values(values).returning(runs.c.run_id))).scalar_one())


class TransactionalRunLog:
    """Stores a run in a transaction of its own (the comparison reads outside any long transaction)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def record(self, run: ReconciliationRun) -> int:
        async with self.engine.begin() as conn:
            return await SqlRunLog(conn).record(run)


async def latest_run(conn: AsyncConnection, *, completed: bool = False) -> dict[str, Any] | None:
    """The latest stored run (``completed``: the latest that read every source) as :func:`run_json`
    gave it, or None before the first."""
    stmt = select(runs).order_by(runs.c.run_id.desc()).limit(1)
    if completed:
        stmt = stmt.where(runs.c.error.is_(None))
    row = (await conn.execute(stmt)).first()
    if row is None:
        return None
    stored = dict(row._mapping)
    return {**stored, "ok": stored["error"] is None and stored["difference_count"] == 0}
