"""Payout batches over REST: finance cuts, reads (JSON or CSV) and acknowledges them.

Batches hold many partners' money, so only finance and auditors read them; a partner reads its own
lines at ``/partners/{id}/payouts``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from incentive_contracts.dates import BusinessDateTime
from incentive_contracts.money import Amount, CurrencyCode
from pydantic import BaseModel, Field
from servicekit.auth import Principal, requires
from servicekit.dates import check_facts
from servicekit.idempotency import run_write
from servicekit.openapi import TEXT_CSV, documented
from servicekit.pagination import decode_cursor, decode_int_cursor, encode_cursor
from servicekit.problems import Problem
from servicekit.unit_of_work import UnitOfWork

from ..adapters import payout_queries, queries
from ..adapters.payout_store import SqlPayoutStore
from ..application.acknowledgements import Acknowledgement, acknowledge
from ..application.payout_ports import Batch, Line
from ..application.payouts import CutRequest, cut_batch
from .response_docs import AcknowledgedOut, BatchLinesOut, BatchOut, BatchPageOut, PartnerPayoutsOut

router = APIRouter(tags=["payouts"])
WRITERS = requires("finance:write")
READERS = requires("finance:read", "finance:write", "audit:read")
PARTNER_READERS = requires("finance:read", "audit:read", "ledger:read", "partner:read", partner_bound="confine")
MAX_LIMIT = 500
CSV_CHUNK = 1000
CSV_COLUMNS = [
    "batch_id",
    "line_id",
    "partner_id",
    "amount",
    "currency",
    "payee_reference",
    "status",
    "payment_reference",
    "failure_reason",
    "entries_covered",
    "coverage_hash",
    "covered_entry_ids",
    "batch_content_hash",
]


class CutBody(BaseModel):
    currency: CurrencyCode
    cutoff: BusinessDateTime = Field(
        description="pay payable entries effective at or before this time (with a time zone)"
    )
    minimum_amount: Amount = Field(default=Decimal(0), description="partners below this amount wait for a later batch")


class AcknowledgementIn(BaseModel):
    status: Literal["paid", "failed"]
    line_id: str | None = None
    partner_id: str | None = None
    payment_reference: str | None = Field(default=None, min_length=1, max_length=200)
    reason: str | None = Field(default=None, min_length=1, max_length=1000)
    at: BusinessDateTime | None = Field(default=None, description="when it was paid or failed (default now)")


class AcknowledgementsBody(BaseModel):
    lines: list[AcknowledgementIn] = Field(min_length=1, max_length=10000)


def batch_out(batch: Batch) -> dict[str, Any]:
    return {
        "batch_id": batch.batch_id,
        "currency": batch.currency,
        "cutoff": batch.cutoff,
        "minimum_amount": format(batch.minimum_amount, "f"),
        "status": batch.status,
        "line_count": batch.line_count,
        "total": format(batch.total, "f"),
        "content_hash": batch.content_hash,
        "created_at": batch.created_at,
        "created_by": batch.created_by,
        "settled_at": batch.settled_at,
    }


def line_out(line: Line, covered: list[str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "line_id": line.line_id,
        "batch_id": line.batch_id,
        "partner_id": line.partner_id,
        "amount": format(line.amount, "f"),
        "currency": line.currency,
        "payee_reference": line.payee_reference,
        "status": line.status,
        "payment_reference": line.payment_reference,
        "failure_reason": line.failure_reason,
        "acknowledged_at": line.acknowledged_at,
        "entries_covered": line.entries_covered,
        "coverage_hash": line.coverage_hash,
        "cut_entry_id": line.cut_entry_id,
        "outcome_entry_id": line.outcome_entry_id,
    }
    if covered is not None:
        out["covered_entry_ids"] = covered
    return out


@router.post("/payout-batches", **documented(BatchOut, 200, 201))
async def cut(body: CutBody, request: Request, principal: Annotated[Principal, Depends(WRITERS)]) -> JSONResponse:
    """Cut the batch of a currency as of a cutoff (201), or return the batch that exists for it (200)."""

    async def action(uow: UnitOfWork) -> tuple[int, dict[str, Any]]:
        result = await cut_batch(
            SqlPayoutStore(uow),
            CutRequest(body.currency, body.cutoff, body.minimum_amount, principal.subject, datetime.now(UTC)),
        )
        return (201 if result.created else 200), batch_out(result.batch)

    return await run_write(request, principal, request.app.state.uow_factory, action)


@router.get("/payout-batches", **documented(BatchPageOut))
async def list_batches(
    request: Request,
    principal: Annotated[Principal, Depends(READERS)],
    status: Annotated[str | None, Query(pattern="^(open|settled)$")] = None,
    currency: Annotated[str | None, Query(pattern=r"^[A-Z]{3}$")] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
) -> dict[str, Any]:
    async with request.app.state.engine.connect() as conn:
        found = await payout_queries.batches(
            conn, status=status, currency=currency, after_seq=decode_int_cursor(cursor), limit=limit + 1
        )
    page = found[:limit]
    return {
        "items": [batch_out(b) for b in page],
        "next_cursor": encode_cursor(page[-1].batch_seq) if len(found) > limit else None,
    }


async def _batch(conn: Any, batch_id: str) -> Batch:
    found = await payout_queries.batch(conn, batch_id)
    if found is None:
        raise Problem(404, "Not found", f"payout batch {batch_id} not found")
    return found


@router.get("/payout-batches/{batch_id}", **documented(BatchOut))
async def get_batch(
    batch_id: str, request: Request, principal: Annotated[Principal, Depends(READERS)]
) -> dict[str, Any]:
    async with request.app.state.engine.connect() as conn:
        return batch_out(await _batch(conn, batch_id))


@router.get("/payout-batches/{batch_id}/lines", **documented(BatchLinesOut, media_types=TEXT_CSV))
async def batch_lines(
    batch_id: str,
    request: Request,
    principal: Annotated[Principal, Depends(READERS)],
    status: Annotated[str | None, Query(pattern="^(in_payment|paid|failed)$")] = None,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
) -> dict[str, Any] | Response:
    """The lines (partner, amount, currency, payee reference, the entries covered) and the batch's content
    hash; CSV: the whole batch, one row per line."""
    if format == "csv":
        async with request.app.state.engine.connect() as conn:
            batch = await _batch(conn, batch_id)
        return StreamingResponse(
            _csv(request, batch, status),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="payout-batch-{batch_id}.csv"'},
        )
    after = decode_cursor(cursor)
    async with request.app.state.engine.connect() as conn:
        batch = await _batch(conn, batch_id)
        found = await payout_queries.lines(
            conn, batch_id, status=status, after_partner=str(after) if after is not None else None, limit=limit + 1
        )
        page = found[:limit]
        covered = await payout_queries.covered_entries(conn, page)
    return {
        "batch": batch_out(batch),
        "items": [line_out(x, covered.get(x.line_id, [])) for x in page],
        "next_cursor": encode_cursor(page[-1].partner_id) if len(found) > limit else None,
    }


async def _csv(request: Request, batch: Batch, status: str | None) -> AsyncIterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    after: str | None = None
    async with request.app.state.engine.connect() as conn:
        while True:
            chunk = await payout_queries.lines(
                conn, batch.batch_id, status=status, after_partner=after, limit=CSV_CHUNK
            )
            covered = await payout_queries.covered_entries(conn, chunk)
            for x in chunk:
                writer.writerow(
                    [
                        x.batch_id,
                        x.line_id,
                        x.partner_id,
                        format(x.amount, "f"),
                        x.currency,
                        x.payee_reference,
                        x.status,
                        x.payment_reference or "",
                        x.failure_reason or "",
                        x.entries_covered,
                        x.coverage_hash,
                        " ".join(covered.get(x.line_id, [])),
                        batch.content_hash or "",
                    ]
                )
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            if len(chunk) < CSV_CHUNK:
                return
            after = chunk[-1].partner_id


@router.post("/payout-batches/{batch_id}/acknowledgements", **documented(AcknowledgedOut))
async def acknowledge_lines(
    batch_id: str, body: AcknowledgementsBody, request: Request, principal: Annotated[Principal, Depends(WRITERS)]
) -> JSONResponse:
    """Per line: paid (with the external payment reference) or failed (with a reason; the money is payable
    again). Acknowledging a line again with the same outcome changes nothing."""
    check_facts(request, datetime.now(UTC).date(), {f"lines.{i}.at": x.at for i, x in enumerate(body.lines)})
    items = [
        Acknowledgement(
            status=x.status,
            line_id=x.line_id,
            partner_id=x.partner_id,
            payment_reference=x.payment_reference,
            reason=x.reason,
            at=x.at,  # a BusinessDateTime: always with a time zone
        )
        for x in body.lines
    ]

    async def action(uow: UnitOfWork) -> tuple[int, dict[str, Any]]:
        store = SqlPayoutStore(uow)
        lines = await acknowledge(store, batch_id, items, principal.subject, datetime.now(UTC))
        batch = await store.batch(batch_id)
        assert batch is not None
        return 200, {"batch": batch_out(batch), "lines": [line_out(x) for x in lines]}

    return await run_write(request, principal, request.app.state.uow_factory, action)


@router.get("/partners/{partner_id}/payouts", **documented(PartnerPayoutsOut))
async def partner_payouts(
    partner_id: str,
    request: Request,
    principal: Annotated[Principal, Depends(PARTNER_READERS)],
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
) -> dict[str, Any]:
    """A partner's own payout lines, newest batch first (a partner token reaches only its own)."""
    principal.require_partner(partner_id)
    after = decode_int_cursor(cursor)
    async with request.app.state.engine.connect() as conn:
        if not await queries.partner_known(conn, partner_id):
            raise Problem(404, "Not found", f"partner {partner_id} has no ledger")
        rows = await payout_queries.partner_lines(conn, partner_id, after=after, limit=limit + 1)
    page = rows[:limit]
    return {
        "items": [{**line_out(line), "cutoff": cutoff} for line, cutoff, _ in page],
        "next_cursor": encode_cursor(page[-1][2]) if len(rows) > limit else None,
    }
