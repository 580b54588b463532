"""Journal entries: filtered lists with cursor pagination, one entry, and its explanation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from incentive_contracts.dates import BusinessDateTime
from servicekit.auth import Principal, requires
from servicekit.pagination import decode_int_cursor
from servicekit.problems import Problem

from ..application.explain import explain
from ..application.queries import EntryFilter, EntryView
from .deps import Queries
from .response_docs import EntryOut, EntryPageOut, ExplanationOut, PostingOut

router = APIRouter(tags=["entries"])
READERS = requires("ledger:read", "finance:read", "audit:read", "partner:read", partner_bound="confine")
MAX_LIMIT = 500


def entry_out(e: EntryView) -> EntryOut:
    return EntryOut(
        entry_id=e.entry_id,
        partner_id=e.partner_id,
        stream=e.stream,
        sequence=e.sequence,
        kind=e.kind,
        deal_id=e.deal_id,
        caused_by=e.caused_by,
        effective_at=e.effective_at,
        rule_id=e.rule_id,
        rule_version=e.rule_version,
        reverses=e.reverses,
        summary=e.explanation.get("summary"),
        explanation=e.explanation,
        postings=[PostingOut(account=p.account, currency=p.currency, amount=format(p.amount, "f")) for p in e.postings],
        prev_hash=e.prev_hash,
        entry_hash=e.entry_hash,
    )


@router.get("/entries")
async def list_entries(
    principal: Annotated[Principal, Depends(READERS)],
    reads: Queries,
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
) -> EntryPageOut:
    """Entries in posting order; a partner token only ever sees its own partner's entries."""
    if principal.partner_id is not None:
        if partner_id is not None and partner_id != principal.partner_id:
            return EntryPageOut(items=[], next_cursor=None)
        partner_id = principal.partner_id
    where = EntryFilter(
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
    page = await reads.entries(where, limit)
    return EntryPageOut(items=[entry_out(e) for e in page.items], next_cursor=page.next_cursor)


def _visible(principal: Principal, entry_id: str, partner_id: str | None) -> None:
    if partner_id is None or not principal.can_see_partner(partner_id):
        raise Problem(404, "Not found", f"entry {entry_id} not found")


@router.get("/entries/{entry_id}")
async def get_entry(entry_id: str, principal: Annotated[Principal, Depends(READERS)], reads: Queries) -> EntryOut:
    found = await reads.entry(entry_id)
    _visible(principal, entry_id, found.partner_id if found else None)
    assert found is not None
    return entry_out(found)


@router.get("/entries/{entry_id}/explain")
async def explain_entry(
    entry_id: str, principal: Annotated[Principal, Depends(READERS)], reads: Queries
) -> ExplanationOut:
    """Why this amount: the rule and version, the inputs, each step of the computation, and links."""
    found = await reads.entry_links(entry_id)
    _visible(principal, entry_id, found.entry.partner_id if found else None)
    assert found is not None
    return ExplanationOut.model_validate(explain(found.entry, found.entry.postings, found.original, found.reversed_by))
