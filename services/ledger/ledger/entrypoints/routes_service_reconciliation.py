"""Cross-service reconciliation over HTTP: a comparison made now, or the latest run `ledger reconcile`
stored (the one the /metrics gauges show)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from servicekit.auth import Principal, requires
from servicekit.problems import Problem

from ..application.service_reconciliation import reconcile_now, run_json
from .deps import Ledger, Queries

router = APIRouter(tags=["reconciliation"])
READERS = requires("audit:read", "finance:read")


class DifferenceOut(BaseModel):
    check: str = Field(description="what was compared, e.g. mdf_available, deal_unknown_to_ledger, payouts_paid")
    source: str = Field(description="the other side: mdf, registration or payouts (the payout lines)")
    partner_id: str
    period: str = Field(description="YYYY-Qn: the fund period, the deal's close quarter or the payout quarter")
    currency: str
    subject: str | None = Field(description="the deal, when the line is about one")
    theirs: str = Field(description="the other side's figure or state")
    ours: str = Field(description="the ledger's figure or state")
    amount: str | None = Field(description="ours - theirs, when both are amounts")
    note: str


class ServiceReconciliationOut(BaseModel):
    run_id: int | None = Field(description="the stored run; null for a comparison made now")
    started_at: datetime
    finished_at: datetime
    run_by: str
    ok: bool = Field(description="every source read and nothing differs")
    error: str | None = Field(description="why a source could not be read (then nothing was compared)")
    difference_count: int
    counts: dict[str, int] = Field(description="differences per check, every check named")
    compared: dict[str, int] = Field(description="items compared per source")
    differences: list[DifferenceOut]
    information: list[DifferenceOut] = Field(description="not differences: accruals the ledger holds (mdf_held)")


def _out(run: dict[str, Any]) -> ServiceReconciliationOut:
    return ServiceReconciliationOut.model_validate(run)


@router.get("/reconciliation/services")
async def reconcile_services_now(
    principal: Annotated[Principal, Depends(READERS)], ledger: Ledger
) -> ServiceReconciliationOut:
    """Compare now (not stored): the mdf service's fund positions, the registration service's won and
    reversed deals and the acknowledged payout lines against the ledger, per partner, period and
    currency; every difference with both figures. A source that cannot be read gives ``error``."""
    run = await reconcile_now(ledger.reconciliation_sources, now=ledger.clock.now, run_by=principal.subject)
    return _out(run_json(run))


@router.get("/reconciliation/services/latest")
async def latest_service_reconciliation(
    principal: Annotated[Principal, Depends(READERS)], reads: Queries
) -> ServiceReconciliationOut:
    """The latest run `ledger reconcile` (the CronJob) stored."""
    run = await reads.latest_reconciliation_run()
    if run is None:
        raise Problem(404, "Not found", "no reconciliation run is stored yet (`ledger reconcile` stores one)")
    return _out(run)
