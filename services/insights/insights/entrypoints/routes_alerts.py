"""Drift alerts: the list (a partner-bound token sees the alerts about its own partner), the
threshold versions, an evaluation of a quarter, and acknowledgement (who and why)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from incentive_contracts.dates import PERIOD_PATTERN
from pydantic import BaseModel, ConfigDict, Field
from servicekit import pagination
from servicekit.auth import Principal, requires
from servicekit.idempotency import run_write
from servicekit.unit_of_work import UnitOfWork

from ..application.alerts import acknowledge
from ..domain.drift import in_force
from ..domain.errors import NotFound
from .alert_evaluation import evaluate_in
from .csv_export import CSV_RESPONSES, Format, table_response
from .deps import READ_OWN, STAFF, Container
from .money_deps import WRITE, AlertReads
from .money_schemas import AlertOut, AlertPage, EvaluationOut, ThresholdOut, ThresholdVersionOut

router = APIRouter(tags=["alerts"])
Reader = Annotated[Principal, Depends(requires(*READ_OWN, partner_bound="confine"))]
Staff = Annotated[Principal, Depends(requires(*STAFF, partner_bound="forbid"))]
Writer = Annotated[Principal, Depends(requires(*WRITE, partner_bound="forbid"))]
AlertId = Annotated[str, Path(min_length=1, max_length=64)]


class AcknowledgeBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=1000, description="why the alert needs no further action")


class EvaluateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period: str = Field(pattern=PERIOD_PATTERN, description="the quarter to evaluate, YYYY-Qn")


@router.get("/alerts", response_model=AlertPage, responses=CSV_RESPONSES)
async def alerts_list(
    request: Request,
    principal: Reader,
    queries: AlertReads,
    container: Container,
    status: Literal["open", "all"] = "open",
    indicator: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    partner_id: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    format: Format = "json",
) -> object:
    """Alerts in the order raised; a partner-bound token sees only partner alerts about itself."""
    page = await queries.page(
        after=pagination.decode_int_cursor(cursor),
        limit=min(limit, container.settings.max_page_size),
        partner_id=principal.confine(partner_id),
        open_only=status == "open",
        indicator=indicator,
    )
    return table_response(
        request, AlertPage(items=[AlertOut.of(a) for a in page.items], next_cursor=page.next_cursor), format
    )


@router.get("/alerts/thresholds", response_model=list[ThresholdVersionOut])
async def thresholds(principal: Staff, container: Container) -> list[ThresholdVersionOut]:
    """Every drift-threshold version (YAML data shipped with the service), and which one is in force today."""
    sets = container.thresholds
    current = in_force(sets, container.runtime.clock.now().date())
    return [
        ThresholdVersionOut(
            version=s.version,
            effective_from=s.effective_from,
            in_force=s == current,
            thresholds=[
                ThresholdOut(
                    id=t.id,
                    indicator=t.indicator,
                    scope=t.scope.value,
                    rule=t.rule.value,
                    limit=format(t.limit, "f"),
                    baseline_periods=t.baseline_periods,
                    severity=t.severity,
                )
                for t in s.thresholds
            ],
        )
        for s in sorted(sets, key=lambda s: s.version)
    ]


@router.get("/alerts/{alert_id}")
async def alert_detail(principal: Reader, queries: AlertReads, alert_id: AlertId) -> AlertOut:
    alert = await queries.get(alert_id)
    if alert is None or not (principal.partner_id is None or alert.partner_id == principal.partner_id):
        raise NotFound(f"no alert {alert_id}")
    return AlertOut.of(alert)


@router.post("/alerts/evaluations", response_model=EvaluationOut)
async def evaluate(request: Request, principal: Writer, container: Container, body: EvaluateBody) -> JSONResponse:
    """Evaluate a quarter under the thresholds in force today: raises (stores and emits
    ``insights.alert_raised``) each drift not raised before."""

    async def action(uow: UnitOfWork) -> tuple[int, EvaluationOut]:
        result = await evaluate_in(uow, container, body.period)
        raised = [AlertOut.of(a) for a in result.raised]
        return 200, EvaluationOut(
            thresholds_version=result.thresholds_version,
            period=result.period,
            evaluated=result.evaluated,
            raised=raised,
        )

    return await run_write(request, principal, container.runtime.uow_factory, action)


@router.post("/alerts/{alert_id}/acknowledgements", response_model=AlertOut)
async def acknowledge_alert(
    request: Request, principal: Writer, container: Container, alert_id: AlertId, body: AcknowledgeBody
) -> JSONResponse:
    """Acknowledge an open alert, saying why (``insights.alert_acknowledged``); 409 when already acknowledged."""
    now: datetime = container.runtime.clock.now()

    async def action(uow: UnitOfWork) -> tuple[int, AlertOut]:
        done = await acknowledge(
            container.alert_queries(uow.conn),
            container.money_writer(uow.conn),
            uow,
            alert_id=alert_id,
            by=principal.actor,
            reason=body.reason,
            now=now,
        )
        return 200, AlertOut.of(done)

    return await run_write(request, principal, container.runtime.uow_factory, action)
