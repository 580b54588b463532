"""Finance acknowledges batch lines: paid (in payment -> paid) or failed (in payment -> payable).

Idempotent per line: acknowledging a line again with the same outcome changes nothing; a different
outcome for a line already acknowledged is a conflict and the whole request changes nothing.
Partners are locked in id order before their lines, like the projector and the cut.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from ..domain.chain import ChainedEntry, link
from ..domain.errors import Conflict, InvalidRequest, NotFound
from ..domain.payouts import PayoutAction, PayoutKind, action_event_id, line_id, payout_entry
from .payout_ports import Batch, Line, PayoutStore


@dataclass(frozen=True)
class Acknowledgement:
    status: str  # paid | failed
    line_id: str | None = None
    partner_id: str | None = None
    payment_reference: str | None = None
    reason: str | None = None
    at: datetime | None = None

    @property
    def detail(self) -> str:
        return (self.payment_reference if self.status == "paid" else self.reason) or ""


def _line_ids(batch: Batch, items: Sequence[Acknowledgement]) -> dict[str, Acknowledgement]:
    wanted: dict[str, Acknowledgement] = {}
    for item in items:
        if item.status not in ("paid", "failed"):
            raise InvalidRequest(f"status must be paid or failed, not {item.status!r}")
        if item.status == "paid" and not item.payment_reference:
            raise InvalidRequest("a paid line needs its payment_reference")
        if item.status == "failed" and not item.reason:
            raise InvalidRequest("a failed line needs a reason")
        if (item.line_id is None) == (item.partner_id is None):
            raise InvalidRequest("name each line by line_id or by partner_id (one of them)")
        lid = item.line_id or line_id(batch.batch_id, item.partner_id or "")
        if lid in wanted and (wanted[lid].status, wanted[lid].detail) != (item.status, item.detail):
            raise InvalidRequest(f"line {lid} is acknowledged twice in this request, differently")
        wanted[lid] = item
    return wanted


def _same(line: Line, item: Acknowledgement) -> bool:
    recorded = line.payment_reference if line.status == "paid" else line.failure_reason
    return line.status == item.status and recorded == item.detail


async def acknowledge(
    store: PayoutStore, batch_id: str, items: Sequence[Acknowledgement], by: str, now: datetime
) -> list[Line]:
    batch = await store.batch(batch_id, lock=True)
    if batch is None:
        raise NotFound(f"payout batch {batch_id} not found")
    if not items:
        raise InvalidRequest("acknowledge at least one line")
    wanted = _line_ids(batch, items)
    current = await store.lines(batch_id, sorted(wanted))  # unlocked: a line's partner never changes
    missing = sorted(set(wanted) - set(current))
    if missing:
        raise InvalidRequest(f"not lines of batch {batch_id}: {', '.join(missing[:5])}")
    partners = sorted({current[lid].partner_id for lid in wanted})
    locked = await store.lock_partners(partners)
    lines = await store.lines(batch_id, sorted(wanted), lock=True)
    outcomes: list[tuple[Line, PayoutAction, ChainedEntry]] = []
    for lid in sorted(wanted):
        line, item = lines[lid], wanted[lid]
        if line.status != "in_payment":
            if _same(line, item):
                continue
            raise Conflict(
                f"line {lid} ({line.partner_id}) is already {line.status}"
                f" ({line.payment_reference or line.failure_reason}); it cannot become {item.status} ({item.detail})"
            )
        at = (item.at or now).astimezone(UTC)
        if at < batch.cutoff or at > now:
            raise InvalidRequest(f"line {lid}: acknowledged at {at.isoformat()}, before the cutoff or in the future")
        kind = PayoutKind.SETTLED if item.status == "paid" else PayoutKind.FAILED
        partner = locked[line.partner_id]
        action = PayoutAction(
            kind=kind,
            partner_id=line.partner_id,
            batch_id=batch_id,
            line_id=lid,
            currency=line.currency,
            amount=line.amount,
            at=at,
            registration_sequence=partner.registration_sequence,
            event_id=action_event_id(lid, kind),
            detail=item.detail,
        )
        linked = link(payout_entry(action), partner.payout_head)
        outcomes.append((line, action, linked))
    if outcomes:
        await store.record_outcomes(outcomes, by)
        await store.settle_if_done(batch_id, now)
        for _, action, linked in outcomes:
            store.announce(action, linked, now)
    after = await store.lines(batch_id, sorted(wanted))
    return [after[lid] for lid in wanted]  # in the order asked


async def acknowledge_and_read(
    store: PayoutStore, batch_id: str, items: Sequence[Acknowledgement], by: str, now: datetime
) -> tuple[Batch, list[Line]]:
    """Acknowledge the lines, then read the batch as it now stands (settled when no line is in payment)."""
    lines = await acknowledge(store, batch_id, items, by, now)
    batch = await store.batch(batch_id)
    assert batch is not None
    return batch, lines
