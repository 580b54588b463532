"""The anomaly review queue: flagged deals with their reasons and what the ledger holds because of
them; the two decisions are forwarded to registration with the caller's own token (registration
records who and why, and the ledger follows its events)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from incentive_contracts.events.deal import FlagReason
from pydantic import BaseModel, ConfigDict, Field
from servicekit.auth import Principal, requires
from servicekit.pagination import decode_text_cursor

from ..application.anomalies import DecideFlag, Decision, decide, queue_item
from ..domain.money_errors import UpstreamRefused
from .csv_export import CSV_RESPONSES, Format, table_response
from .deps import READ_OWN, Container
from .money_deps import DECIDE, AnomalyReads, bearer_token, upstream_problem
from .money_schemas import AnomalyOut, AnomalyPage, DecisionOut

router = APIRouter(tags=["anomalies"])
Reader = Annotated[Principal, Depends(requires(*READ_OWN, partner_bound="confine"))]
Reviewer = Annotated[Principal, Depends(requires(*DECIDE, partner_bound="forbid"))]
DealId = Annotated[str, Path(min_length=1, max_length=64)]


class ClearBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str | None = Field(default=None, max_length=500)


class ConfirmBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(min_length=1, max_length=1000, description="why the anomaly is confirmed (required)")


@router.get("/anomalies", response_model=AnomalyPage, responses=CSV_RESPONSES)
async def anomalies(
    request: Request,
    principal: Reader,
    queries: AnomalyReads,
    container: Container,
    status: Literal["open", "cleared", "confirmed"] | None = "open",
    partner_id: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    format: Format = "json",
) -> object:
    """Flagged deals in deal id order (``status`` open by default), each with its flags, who decided
    them and why, and the rebate and MDF the ledger still holds."""
    page = await queries.page(
        after=decode_text_cursor(cursor),
        limit=min(limit, container.settings.max_page_size),
        partner_id=principal.confine(partner_id),
        status=status,
    )
    out = AnomalyPage(items=[AnomalyOut.of(i) for i in page.items], next_cursor=page.next_cursor)
    return table_response(request, out, format)


@router.get("/anomalies/{deal_id}")
async def anomaly(principal: Reader, queries: AnomalyReads, deal_id: DealId) -> AnomalyOut:
    return AnomalyOut.of(await queue_item(queries, deal_id, principal.partner_id))


async def _forward(
    request: Request,
    queries: AnomalyReads,
    container: Container,
    deal_id: str,
    reason: FlagReason,
    decision: Decision,
    note: str | None,
) -> DecisionOut:
    command = DecideFlag(
        deal_id=deal_id,
        reason=reason.value,
        decision=decision,
        note=note,
        token=bearer_token(request),
        idempotency_key=request.headers.get("idempotency-key"),
    )
    try:
        answer = await decide(queries, container.flag_decisions, command)
    except UpstreamRefused as exc:
        raise upstream_problem(exc) from exc
    return DecisionOut(deal_id=deal_id, reason=reason.value, decision=decision, registration=answer)


UNAVAILABLE: dict[int | str, dict[str, Any]] = {503: {"description": "registration could not be reached"}}


@router.post("/anomalies/{deal_id}/flags/{reason}/clear", responses=UNAVAILABLE)
async def clear(
    request: Request,
    principal: Reviewer,
    queries: AnomalyReads,
    container: Container,
    deal_id: DealId,
    reason: FlagReason,
    body: ClearBody,
) -> DecisionOut:
    """Clear the flag: registration emits ``deal.flag_cleared`` (who, when, note) and the ledger releases
    what it held once the deal's last flag is cleared. The queue follows when the event arrives."""
    return await _forward(request, queries, container, deal_id, reason, "clear", body.note)


@router.post("/anomalies/{deal_id}/flags/{reason}/confirm", responses=UNAVAILABLE)
async def confirm(
    request: Request,
    principal: Reviewer,
    queries: AnomalyReads,
    container: Container,
    deal_id: DealId,
    reason: FlagReason,
    body: ConfirmBody,
) -> DecisionOut:
    """Confirm the anomaly: registration rejects the deal (``deal.flag_confirmed``, with who and why) and
    the ledger reverses its held rewards and MDF accrual."""
    return await _forward(request, queries, container, deal_id, reason, "confirm", body.note)
