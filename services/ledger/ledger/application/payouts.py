"""Cut a payout batch: one currency, one cutoff, one line per partner with enough payable.

The store locks the partners' chain-head rows in partner id order (as the projector does), so the
cut and the projector never interleave on a partner, and measures every partner set-based. Here
each line's amount is decided and its entry built and chained. A second cut for the same currency
and cutoff (concurrent or later) returns the batch that exists.
"""

from __future__ import annotations

import asyncio
from contextlib import aclosing
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from ..domain.chain import ChainedEntry, link
from ..domain.errors import Conflict, InvalidRequest
from ..domain.money import fmt, minor_units
from ..domain.payouts import (
    LineContent,
    PayoutAction,
    PayoutKind,
    action_event_id,
    batch_content_hash,
    batch_id,
    line_amount,
    line_id,
    payee_reference,
    payout_entry,
)
from .payout_ports import Batch, Line, PartnerDue, PayoutStore


@dataclass(frozen=True)
class CutRequest:
    currency: str
    cutoff: datetime
    minimum: Decimal
    by: str
    now: datetime


@dataclass(frozen=True)
class CutResult:
    batch: Batch
    created: bool


def _validate(request: CutRequest) -> datetime:
    if request.cutoff.tzinfo is None:
        raise InvalidRequest("cutoff needs a time zone (e.g. 2026-03-31T23:59:59Z)")
    cutoff = request.cutoff.astimezone(UTC)
    if cutoff > request.now:
        raise InvalidRequest(f"cutoff {cutoff.isoformat()} is in the future: a batch pays what is already payable")
    if request.minimum < 0:
        raise InvalidRequest("minimum_amount must not be negative")
    if -request.minimum.as_tuple().exponent > minor_units(request.currency):  # type: ignore[operator]
        raise InvalidRequest(f"minimum_amount has more decimals than {request.currency} has")
    return cutoff


def _cut_line(
    bid: str, cutoff: datetime, request: CutRequest, due: PartnerDue
) -> tuple[PayoutAction, ChainedEntry, Line] | None:
    """A partner's line of the batch (its action, chained entry and row), or None below the minimum."""
    amount = line_amount(due.due, due.payable_now, request.minimum)
    if amount is None:
        return None
    lid = line_id(bid, due.partner_id)
    action = PayoutAction(
        kind=PayoutKind.CUT,
        partner_id=due.partner_id,
        batch_id=bid,
        line_id=lid,
        currency=request.currency,
        amount=amount,
        at=cutoff,
        registration_sequence=due.registration_sequence,
        event_id=action_event_id(lid, PayoutKind.CUT),
        detail=payee_reference(cutoff, request.currency, due.partner_id),
        entries_covered=due.entries_covered,
        coverage_hash=due.coverage_hash,
    )
    linked = link(payout_entry(action), due.payout_head)
    line = Line(
        line_id=lid,
        batch_id=bid,
        partner_id=due.partner_id,
        currency=request.currency,
        amount=amount,
        payee_reference=action.detail,
        entries_covered=due.entries_covered,
        coverage_hash=due.coverage_hash,
        cut_entry_id=linked.entry.entry_id,
        status="in_payment",
    )
    return action, linked, line


async def _measure_and_build(
    store: PayoutStore, bid: str, cutoff: datetime, request: CutRequest
) -> list[tuple[PayoutAction, ChainedEntry, Line]]:
    """Every line of the batch, in partner order, built chunk by chunk as the partners are measured."""
    cut: list[tuple[PayoutAction, ChainedEntry, Line]] = []
    # aclosing: a failure here closes the measure (which waits for its statement in flight) before the
    # unit of work rolls back on the same connection.
    async with aclosing(store.lock_and_measure(request.currency, cutoff, request.minimum)) as chunks:
        async for dues in chunks:
            cut += (line for due in dues if (line := _cut_line(bid, cutoff, request, due)) is not None)
    return cut


async def cut_batch(store: PayoutStore, request: CutRequest) -> CutResult:
    cutoff = _validate(request)
    bid = batch_id(request.currency, cutoff)
    existing = await store.claim_batch(bid, request.currency, cutoff, request.minimum, request.by, request.now)
    if existing is not None:
        if existing.minimum_amount != request.minimum:
            raise Conflict(
                f"batch {bid} for {request.currency} as of {cutoff.isoformat()} was cut with minimum "
                f"{fmt(existing.minimum_amount)}; a cutoff has one batch"
            )
        return CutResult(existing, created=False)

    cut = await _measure_and_build(store, bid, cutoff, request)
    actions = [action for action, _, _ in cut]
    chained = [linked for _, linked, _ in cut]
    lines = [line for _, _, line in cut]
    claimed = await store.batch(bid)
    assert claimed is not None
    # The announcements are built while PostgreSQL writes the cut, rather than after it.
    announcing = asyncio.ensure_future(store.announcements(actions, chained, request.now))
    try:
        await store.write_cut(claimed, lines, actions, chained)
        total = sum((line.amount for line in lines), Decimal(0))
        content = batch_content_hash(
            bid,
            request.currency,
            cutoff,
            (LineContent(x.partner_id, x.amount, x.currency, x.payee_reference, x.coverage_hash) for x in lines),
        )
        await store.finish_batch(bid, len(lines), total, content, "open" if lines else "settled")
        store.stage(await announcing)
    finally:
        announcing.cancel()  # a failed write leaves nothing to wait for (done by here otherwise)
    done = await store.batch(bid)
    assert done is not None
    return CutResult(done, created=True)
