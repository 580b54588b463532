"""Journal entries: filtered lists with cursor pagination, one entry, and its explanation."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from incentive_contracts.dates import BusinessDateTime
from servicekit.auth import Principal, requires
from servicekit.openapi import documented
from servicekit.pagination import decode_int_cursor, encode_cursor
from servicekit.problems import Problem

from ..adapters import queries
from ..application.explain import explain
from .response_docs import EntryOut, EntryPageOut, ExplanationOut

router = APIRouter(tags=["entries"])
READERS = requires("ledger:read", "finance:read", "audit:read", "partner:read", partner_bound="confine")
MAX_LIMIT = 500


def _entry_out(row: Any, postings: list[Any]) -> dict[str, Any]:
    return {
        "entry_id": row.entry_id,
        "partner_id": row.partner_id,
        "stream": row.stream,
        "sequence": row.sequence,
        "kind": row.kind,
        "deal_id": row.deal_id,
        "caused_by": row.caused_by,
        "effective_at": row.effective_at,
        "rule_id": row.rule_id,
        "rule_version": row.rule_version,
        "reverses": row.reverses,
        "summary": row.explanation.get("summary"),
        "explanation": row.explanation,
        "postings": [{"account": p.account, "currency": p.currency, "amount": format(p.amount, "f")} for p in postings],
        "prev_hash": row.prev_hash,
        "entry_hash": row.entry_hash,
    }


@router.get("/entries", **documented(EntryPageOut))
async def list_entries(
    request: Request,
    principal: Annotated[Principal, Depends(READERS)],
    partner_id: str | None = None,
    deal_id: str | None = None,
    kind: str | None = None,
    caused_by: str | None = None,
    account: str | None = None,
    currency: Annotated[str | None, Query(pattern=r"^[A-Z]{3}$")] = None,
    effective_from: BusinessDateTime | None = None,
    effective_to: BusinessDateTime | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
) -> dict[str, Any]:
    """Entries in posting order; a partner token only ever sees its own partner's entries."""
    if principal.partner_id is not None:
        if partner_id is not None and partner_id != principal.partner_id:
            return {"items": [], "next_cursor": None}
        partner_id = principal.partner_id
    f = queries.EntryFilter(
        partner_id=partner_id,
        deal_id=deal_id,
        kind=kind,
        caused_by=caused_by,
        account=account,
        currency=currency,
        effective_from=effective_from,
        effective_to=effective_to,
        after_seq=decode_int_cursor(cursor),
    )
    async with request.app.state.engine.connect() as conn:
        rows = await queries.entries(conn, f, limit + 1)
        page = rows[:limit]
        postings = await queries.entry_postings(conn, [r.entry_id for r in page])
    return {
        "items": [_entry_out(r, postings[r.entry_id]) for r in page],
        "next_cursor": encode_cursor(page[-1].posted_seq) if len(rows) > limit else None,
    }


async def _visible_entry(principal: Principal, entry_id: str, conn: Any) -> Any:
    row = await queries.entry(conn, entry_id)
    if row is None or not principal.can_see_partner(row.partner_id):
        raise Problem(404, "Not found", f"entry {entry_id} not found")
    return row


@router.get("/entries/{entry_id}", **documented(EntryOut))
async def get_entry(
    entry_id: str, request: Request, principal: Annotated[Principal, Depends(READERS)]
) -> dict[str, Any]:
    async with request.app.state.engine.connect() as conn:
        row = await _visible_entry(principal, entry_id, conn)
        postings = await queries.entry_postings(conn, [entry_id])
    return _entry_out(row, postings[entry_id])


@router.get("/entries/{entry_id}/explain", **documented(ExplanationOut))
async def explain_entry(
    entry_id: str, request: Request, principal: Annotated[Principal, Depends(READERS)]
) -> dict[str, Any]:
    """Why this amount: the rule and version, the inputs, each step of the computation, and links."""
    async with request.app.state.engine.connect() as conn:
        row = await _visible_entry(principal, entry_id, conn)
        postings = await queries.entry_postings(conn, [entry_id])
        original = await queries.entry(conn, row.reverses) if row.reverses else None
        later = await queries.reversed_by(conn, entry_id)
    return explain(row, postings[entry_id], original, later)
