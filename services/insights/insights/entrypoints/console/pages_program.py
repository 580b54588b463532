"""Program-wide pages for channel managers, leadership and finance: overview, cohorts, ROI, finance."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from .deps import StaffVisit
from .render import admitted, page, refused
from .sources import Answer, Sources
from .views import dec, indicator_points, program_money, quarter_bounds, quarter_of, series

router = APIRouter(include_in_schema=False)
PERIOD = re.compile(r"^[12]\d{3}-Q[1-4]$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
DIMENSIONS = ("tier", "region", "vertical", "enrolment_quarter", "pilot")
Text = Annotated[str | None, Query(max_length=64)]


def _period(value: str | None) -> str:
    """The quarter asked for, or the current one when the value is missing or not a quarter."""
    return value if value and PERIOD.match(value) else quarter_of(date.today())


async def program_indicators(sources: Sources, currency: str | None) -> Answer:
    return await sources.get("insights", "/indicators", granularity="quarter", currency=currency)


def _currency(value: str | None) -> str | None:
    return value if value and CURRENCY.match(value) else None


@router.get("/")
async def overview(request: Request, visit: StaffVisit, period: Text = None,
                   currency: Text = None) -> Response:  # fmt: skip
    if not (seen := admitted(visit)):
        return refused(request, visit)
    viewer, sources = seen
    quarter = _period(period)
    found = await sources.gather(
        indicators=program_indicators(sources, _currency(currency)),
        alerts=sources.get("insights", "/alerts", status="open", limit=8),
        anomalies=sources.get("insights", "/anomalies", status="open", limit=200),
        reconciliation=sources.get("insights", "/finance/reconciliation", period=quarter),
        budget=sources.get("mdf", f"/budgets/{quarter}"),
    )
    points = indicator_points(found["indicators"].data)
    latest = next((p for p in reversed(points) if p.get("period") == quarter), points[-1] if points else None)
    held: dict[str, Decimal] = {}
    for item in found["anomalies"].items():
        for h in item.get("held") or []:
            money = h.get("rebates") or {}
            cur = str(money.get("currency", ""))
            held[cur] = held.get(cur, Decimal(0)) + dec(money)
    trend = series(points, "won_revenue", "pipeline.total", "win_rate")
    return page(request, "overview.html", {
        "viewer": viewer, "active": "overview", "quarter": quarter, "found": found, "latest": latest,
        "currency": (found["indicators"].data or {}).get("currency") or _currency(currency) or "",
        "points": points, "trend": trend, "held": held, "money": program_money(found["reconciliation"].data, held),
    })  # fmt: skip


@router.get("/console/cohorts")
async def cohorts(request: Request, visit: StaffVisit, by: Text = None,
                  period: Text = None, currency: Text = None) -> Response:  # fmt: skip
    if not (seen := admitted(visit)):
        return refused(request, visit)
    viewer, sources = seen
    dimension = by if by in DIMENSIONS else "tier"
    quarter = _period(period)
    answer = await sources.get("insights", "/cohorts", by=dimension, period=quarter, currency=_currency(currency))
    rows = answer.items()
    if not rows and isinstance(answer.data, dict):
        rows = [r for r in answer.data.get("cohorts") or [] if isinstance(r, dict)]
    return page(request, "cohorts.html", {
        "viewer": viewer, "active": "cohorts", "answer": answer, "rows": rows, "by": dimension,
        "dimensions": DIMENSIONS, "quarter": quarter, "currency": (answer.data or {}).get("currency", ""),
    })  # fmt: skip


@router.get("/console/roi")
async def roi(request: Request, visit: StaffVisit, start: Text = None,
              end: Text = None, currency: Text = None) -> Response:  # fmt: skip
    if not (seen := admitted(visit)):
        return refused(request, visit)
    viewer, sources = seen
    params = {"from": start if start and PERIOD.match(start) else None,
              "to": end if end and PERIOD.match(end) else None}  # fmt: skip
    chosen = _currency(currency) or "USD"
    answer = await sources.get("insights", "/roi", limit=500, currency=chosen, **params)
    return page(request, "roi.html", {"viewer": viewer, "active": "roi", "answer": answer, "rows": answer.items(),
                                      "start": params["from"] or "", "end": params["to"] or "",
                                      "currency": chosen})  # fmt: skip


@router.get("/console/finance")
async def finance(request: Request, visit: StaffVisit, period: Text = None,
                  batch: Text = None) -> Response:  # fmt: skip
    if not (seen := admitted(visit)):
        return refused(request, visit)
    viewer, sources = seen
    quarter = _period(period)
    found = await sources.gather(
        reconciliation=sources.get("insights", "/finance/reconciliation", period=quarter),
        batches=sources.get("insights", "/finance/payout-batches", limit=50),
    )
    batches = found["batches"].items()
    chosen = batch if batch and any(b.get("batch_id") == batch for b in batches) else None
    chosen = chosen or next((b.get("batch_id") for b in batches), None)
    lines = await sources.get("insights", f"/finance/payout-batches/{chosen}/lines", limit=200) if chosen else None
    start, end = quarter_bounds(quarter)
    return page(request, "finance.html", {
        "viewer": viewer, "active": "finance", "quarter": quarter, "found": found, "batches": batches,
        "chosen": chosen, "lines": lines, "start": start, "end": end,
    })  # fmt: skip
