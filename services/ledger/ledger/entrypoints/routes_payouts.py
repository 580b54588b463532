"""Payout batches over REST: finance cuts, reads (JSON or CSV) and acknowledges them.

Batches hold many partners' money, so only finance and auditors read them; a partner reads its own
lines at ``/partners/{id}/payouts``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from incentive_contracts.dates import BusinessDateTime
from incentive_contracts.money import Amount, CurrencyCode
from pydantic import BaseModel, Field
from servicekit.auth import Principal, requires
from servicekit.dates import check_facts
from servicekit.idempotency import run_write
from servicekit.openapi import TEXT_CSV, documented
from servicekit.pagination import decode_cursor, decode_int_cursor
from servicekit.problems import Problem
from servicekit.unit_of_work import UnitOfWork

from ..application.acknowledgements import Acknowledgement, acknowledge_and_read
from ..application.payout_ports import Batch, Line
from ..application.payouts import CutRequest, cut_batch
from ..application.queries import CoveredLine, LedgerQueries
from .deps import Ledger, Queries
from .response_docs import (
    AcknowledgedOut,
    BatchLinesOut,
    BatchOut,
    BatchPageOut,
    CoveredLineOut,
    LineOut,
    PartnerLineOut,
    PartnerPayoutsOut,
)

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


def batch_out(batch: Batch) -> BatchOut:
    return BatchOut(
        batch_id=batch.batch_id,
        currency=batch.currency,
        cutoff=batch.cutoff,
        minimum_amount=format(batch.minimum_amount, "f"),
        status=batch.status,
        line_count=batch.line_count,
        total=format(batch.total, "f"),
        content_hash=batch.content_hash,
        created_at=batch.created_at,
        created_by=batch.created_by,
        settled_at=batch.settled_at,
    )


def _line_fields(line: Line) -> dict[str, object]:
    return {
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


def line_out(line: Line) -> LineOut:
    return LineOut.model_validate(_line_fields(line))


def covered_line_out(x: CoveredLine) -> CoveredLineOut:
    return CoveredLineOut.model_validate({**_line_fields(x.line), "covered_entry_ids": x.covered_entry_ids})


def _no_batch(batch_id: str) -> Problem:
    return Problem(404, "Not found", f"payout batch {batch_id} not found")


@router.post("/payout-batches", **documented(BatchOut, 200, 201))
async def cut(
    body: CutBody, request: Request, principal: Annotated[Principal, Depends(WRITERS)], ledger: Ledger
) -> JSONResponse:
    """Cut the batch of a currency as of a cutoff (201), or return the batch that exists for it (200)."""

    async def action(uow: UnitOfWork) -> tuple[int, BatchOut]:
        ask = CutRequest(body.currency, body.cutoff, body.minimum_amount, principal.subject, ledger.clock.now())
        result = await cut_batch(ledger.unit(uow).payouts, ask)
        return (201 if result.created else 200), batch_out(result.batch)

    return await run_write(request, principal, ledger.uow_factory, action)


@router.get("/payout-batches")
async def list_batches(
    principal: Annotated[Principal, Depends(READERS)],
    reads: Queries,
    status: Annotated[str | None, Query(pattern="^(open|settled)$")] = None,
    currency: Annotated[str | None, Query(pattern=r"^[A-Z]{3}$")] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
) -> BatchPageOut:
    page = await reads.payout_batches(status=status, currency=currency, after=decode_int_cursor(cursor), limit=limit)
    return BatchPageOut(items=[batch_out(b) for b in page.items], next_cursor=page.next_cursor)


@router.get("/payout-batches/{batch_id}")
async def get_batch(batch_id: str, principal: Annotated[Principal, Depends(READERS)], reads: Queries) -> BatchOut:
    found = await reads.payout_batch(batch_id)
    if found is None:
        raise _no_batch(batch_id)
    return batch_out(found)


@router.get("/payout-batches/{batch_id}/lines", **documented(BatchLinesOut, media_types=TEXT_CSV))
async def batch_lines(
    batch_id: str,
    principal: Annotated[Principal, Depends(READERS)],
    reads: Queries,
    status: Annotated[str | None, Query(pattern="^(in_payment|paid|failed)$")] = None,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
) -> BatchLinesOut | Response:
    """The lines (partner, amount, currency, payee reference, the entries covered) and the batch's content
    hash; CSV: the whole batch, one row per line."""
    if format == "csv":
        batch = await reads.payout_batch(batch_id)
        if batch is None:
            raise _no_batch(batch_id)
        return StreamingResponse(
            _csv(reads, batch, status),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="payout-batch-{batch_id}.csv"'},
        )
    after = decode_cursor(cursor)
    found = await reads.batch_lines(
        batch_id, status=status, after_partner=str(after) if after is not None else None, limit=limit
    )
    if found is None:
        raise _no_batch(batch_id)
    items = [covered_line_out(x) for x in found.lines.items]
    return BatchLinesOut(batch=batch_out(found.batch), items=items, next_cursor=found.lines.next_cursor)


def _csv_row(x: CoveredLine, batch: Batch) -> list[object]:
    line = x.line
    return [
        line.batch_id,
        line.line_id,
        line.partner_id,
        format(line.amount, "f"),
        line.currency,
        line.payee_reference,
        line.status,
        line.payment_reference or "",
        line.failure_reason or "",
        line.entries_covered,
        line.coverage_hash,
        " ".join(x.covered_entry_ids),
        batch.content_hash or "",
    ]


async def _csv(reads: LedgerQueries, batch: Batch, status: str | None) -> AsyncIterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    async for chunk in reads.batch_line_chunks(batch.batch_id, status=status, chunk=CSV_CHUNK):
        for x in chunk:
            writer.writerow(_csv_row(x, batch))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


@router.post("/payout-batches/{batch_id}/acknowledgements", **documented(AcknowledgedOut))
async def acknowledge_lines(
    batch_id: str,
    body: AcknowledgementsBody,
    request: Request,
    principal: Annotated[Principal, Depends(WRITERS)],
    ledger: Ledger,
) -> JSONResponse:
    """Per line: paid (with the external payment reference) or failed (with a reason; the money is payable
    again). Acknowledging a line again with the same outcome changes nothing."""
    check_facts(request, ledger.today(), {f"lines.{i}.at": x.at for i, x in enumerate(body.lines)})
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

    async def action(uow: UnitOfWork) -> tuple[int, AcknowledgedOut]:
        now = ledger.clock.now()
        batch, lines = await acknowledge_and_read(ledger.unit(uow).payouts, batch_id, items, principal.subject, now)
        return 200, AcknowledgedOut(batch=batch_out(batch), lines=[line_out(x) for x in lines])

    return await run_write(request, principal, ledger.uow_factory, action)


@router.get("/partners/{partner_id}/payouts")
async def partner_payouts(
    partner_id: str,
    principal: Annotated[Principal, Depends(PARTNER_READERS)],
    reads: Queries,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
) -> PartnerPayoutsOut:
    """A partner's own payout lines, newest batch first (a partner token reaches only its own)."""
    principal.require_partner(partner_id)
    page = await reads.partner_payouts(partner_id, after=decode_int_cursor(cursor), limit=limit)
    if page is None:
        raise Problem(404, "Not found", f"partner {partner_id} has no ledger")
    items = [PartnerLineOut.model_validate({**_line_fields(x.line), "cutoff": x.cutoff}) for x in page.items]
    return PartnerPayoutsOut(items=items, next_cursor=page.next_cursor)
