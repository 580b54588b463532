"""`ledger reconcile`: read the mdf service, the registration service and the ledger's own book,
compare them, and record the run (its result feeds the API's gauges and answers).

The three sources are read one after the other, not at one instant: an event in flight between the
services shows as a difference in one run and is gone in the next. ``confirm`` re-reads everything
after a pause and keeps only the differences found both times (a persisting difference is real).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Protocol

from ..domain.service_positions import (
    LedgerDeal,
    LedgerFundBalance,
    MdfFundPosition,
    PayoutSettlement,
    RegisteredDeal,
)
from ..domain.service_reconciliation import CHECKS, Difference, ServiceReconciliation, reconcile_services


class SourceUnavailable(Exception):
    """A source could not be read (unreachable, refused the token, answered garbage): no comparison."""


class MdfFundSource(Protocol):
    async def fund_positions(self) -> list[MdfFundPosition]:
        """Every fund position of the mdf service (all partners, periods and currencies)."""
        ...


class WonDealSource(Protocol):
    async def won_deals(self) -> list[RegisteredDeal]:
        """Every deal the registration service has as won (reversed ones included)."""
        ...


class LedgerBook(Protocol):
    """The ledger's own side, read from its database."""

    async def fund_balances(self) -> list[LedgerFundBalance]: ...
    async def booked_deals(self) -> list[LedgerDeal]: ...
    async def payout_settlements(self) -> list[PayoutSettlement]: ...


@dataclass(frozen=True)
class ReconciliationRun:
    started_at: datetime
    finished_at: datetime
    run_by: str
    report: ServiceReconciliation | None  # None when a source could not be read
    error: str | None = None
    run_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.report is not None and self.report.ok


class RunLog(Protocol):
    async def record(self, run: ReconciliationRun) -> int:
        """Store the run; returns its id."""
        ...


@dataclass(frozen=True)
class Sources:
    mdf: MdfFundSource
    registration: WonDealSource
    book: LedgerBook


async def compare(sources: Sources) -> ServiceReconciliation:
    """One reading of the three sources and their comparison (raises SourceUnavailable)."""
    mdf_funds = await sources.mdf.fund_positions()
    registered = await sources.registration.won_deals()
    return reconcile_services(
        mdf_funds,
        await sources.book.fund_balances(),
        registered,
        await sources.book.booked_deals(),
        await sources.book.payout_settlements(),
    )


async def reconcile(
    sources: Sources, *, now: Callable[[], datetime], run_by: str, confirm_after: float = 0.0
) -> ReconciliationRun:
    """Compare (twice when ``confirm_after`` > 0, keeping what both readings found); a source that
    cannot be read gives a failed run, never a clean one."""
    started = now()
    try:
        report = await compare(sources)
        if confirm_after > 0 and not report.ok:
            await asyncio.sleep(confirm_after)
            report = _persisting(report, await compare(sources))
    except SourceUnavailable as exc:
        return ReconciliationRun(started, now(), run_by, None, error=str(exc))
    return ReconciliationRun(started, now(), run_by, report)


async def reconcile_and_record(
    sources: Sources, log: RunLog, *, now: Callable[[], datetime], run_by: str, confirm_after: float = 0.0
) -> ReconciliationRun:
    run = await reconcile(sources, now=now, run_by=run_by, confirm_after=confirm_after)
    run_id = await log.record(run)
    return ReconciliationRun(run.started_at, run.finished_at, run.run_by, run.report, run.error, run_id)


SourcesOpener = Callable[[], AbstractAsyncContextManager[Sources]]  # opens the peers' clients for one run


async def reconcile_now(open_sources: SourcesOpener, *, now: Callable[[], datetime], run_by: str) -> ReconciliationRun:
    """Compare now, without recording (the API's live answer)."""
    async with open_sources() as sources:
        return await reconcile(sources, now=now, run_by=run_by)


async def reconcile_and_store(
    open_sources: SourcesOpener, log: RunLog, *, now: Callable[[], datetime], run_by: str, confirm_after: float = 0.0
) -> ReconciliationRun:
    """Compare and store the run (the CLI and the CronJob): the API's gauges read the latest."""
    async with open_sources() as sources:
        return await reconcile_and_record(sources, log, now=now, run_by=run_by, confirm_after=confirm_after)


def difference_json(d: Difference) -> dict[str, Any]:
    return {**asdict(d), "amount": None if d.amount is None else format(d.amount, "f")}


def run_json(run: ReconciliationRun) -> dict[str, Any]:
    """A run as stored and as answered over HTTP."""
    report = run.report
    return {
        "run_id": run.run_id,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "run_by": run.run_by,
        "error": run.error,
        "ok": run.ok,
        "difference_count": len(report.differences) if report else 0,
        "counts": report.counts() if report else dict.fromkeys(CHECKS, 0),
        "compared": report.compared if report else {},
        "differences": [difference_json(d) for d in report.differences] if report else [],
        "information": [difference_json(d) for d in report.information] if report else [],
    }


def _persisting(first: ServiceReconciliation, second: ServiceReconciliation) -> ServiceReconciliation:
    """The second reading's differences that the first also found (same check, place and deal)."""

    def where(d: object) -> tuple[object, ...]:
        return tuple(getattr(d, n) for n in ("check", "partner_id", "period", "currency", "subject"))

    before = {where(d) for d in first.differences}
    return ServiceReconciliation(
        differences=[d for d in second.differences if where(d) in before],
        information=second.information,
        compared=second.compared,
    )
