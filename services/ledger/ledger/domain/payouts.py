"""Payouts: payable -> in payment (a batch line) -> paid, or back to payable when the payment failed.

A batch is cut for one currency as of a cutoff: each partner's line covers the payable entries
effective at or before the cutoff that no open or paid line covers yet. A partner whose later-dated
entries reduce what is payable now (a hold or clawback dated after the cutoff) waits for the next
batch: a line never pays more than is payable now. Entries are posted on the partner's ``payout``
stream; each action records the partner's registration-stream chain position, so a replay applies
it at the same point of the partner's history (holds depend on what is still payable).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum

from incentive_contracts.events.ledger import (
    LedgerPayoutBatched,
    LedgerPayoutFailed,
    LedgerPayoutSettled,
    LedgerStatementReady,
)
from incentive_contracts.money import Money

from . import accounts
from .explanation import PayoutExplanation
from .journal import JournalEntry, transfer
from .money import fmt
from .outcome import entry_id, name_based_id
from .state import PAYOUT_STREAM

PAYOUT_RULE = "ledger/payouts"
PAYOUT_RULE_VERSION = 1
BATCH_NAMESPACE = uuid.UUID("8a3b1f5e-2c4d-4e6f-9a0b-7c8d9e0f1a2b")


class PayoutKind(StrEnum):
    CUT = "payout"  # payable -> in payment
    SETTLED = "payout_settled"  # in payment -> paid
    FAILED = "payout_failed"  # in payment -> payable


PAYOUT_KINDS = frozenset(k.value for k in PayoutKind)


@dataclass(frozen=True)
class PayoutAction:
    """One step of a payout line for one partner, as announced on the ledger topic."""

    kind: PayoutKind
    partner_id: str
    batch_id: str
    line_id: str
    currency: str
    amount: Decimal  # positive
    at: datetime  # the batch cutoff (cut), or when the payment was acknowledged
    registration_sequence: int  # the partner's registration chain head when it happened
    event_id: str  # the ledger event announcing it: the entry's cause
    detail: str  # payee reference (cut), payment reference (settled), reason (failed)
    entries_covered: int = 0
    coverage_hash: str = ""


# Every payout id is ``str(uuid.uuid5(BATCH_NAMESPACE, name))``, written without a UUID object
# (``name_based_id``; a cut names three ids per line).


def batch_id(currency: str, cutoff: datetime) -> str:
    """One batch per currency and cutoff: concurrent cuts name the same batch."""
    return name_based_id(BATCH_NAMESPACE, f"{currency}|{cutoff.isoformat()}")


def line_id(batch: str, partner_id: str) -> str:
    return name_based_id(BATCH_NAMESPACE, f"{batch}|{partner_id}")


def action_event_id(line: str, kind: PayoutKind) -> str:
    return name_based_id(BATCH_NAMESPACE, f"{line}|{kind.value}")


def payee_reference(cutoff: datetime, currency: str, partner_id: str) -> str:
    """The remittance reference finance puts on the payment (unique per line)."""
    return f"PIL-{cutoff:%Y%m%d%H%M%S}-{currency}-{partner_id}"


def line_amount(due: Decimal, payable_now: Decimal, minimum: Decimal) -> Decimal | None:
    """What a partner's line pays, or None when the partner is not paid in this batch.

    ``due``: the uncovered payable entries effective at or before the cutoff; ``payable_now``: the
    partner's whole payable balance (which includes later-dated entries).
    """
    if due <= 0 or due < minimum or due > payable_now:
        return None
    return due


def coverage_hash(entry_ids: Iterable[str]) -> str:
    """SHA-256 over the covered entry ids, sorted, one per line."""
    return hashlib.sha256("".join(f"{e}\n" for e in sorted(entry_ids)).encode()).hexdigest()


@dataclass(frozen=True)
class LineContent:
    partner_id: str
    amount: Decimal
    currency: str
    payee_reference: str
    coverage_hash: str


def batch_content_hash(batch: str, currency: str, cutoff: datetime, lines: Iterable[LineContent]) -> str:
    """SHA-256 of what finance is asked to pay: the batch and its lines in partner order."""
    digest = hashlib.sha256(f"batch|{batch}|{currency}|{cutoff.isoformat()}\n".encode())
    for line in sorted(lines, key=lambda x: x.partner_id):
        row = f"{line.partner_id}|{fmt(line.amount)}|{line.currency}|{line.payee_reference}|{line.coverage_hash}\n"
        digest.update(row.encode())
    return digest.hexdigest()


_MOVES = {
    PayoutKind.CUT: (accounts.REBATES_PAYABLE, accounts.REBATES_IN_PAYMENT),
    PayoutKind.SETTLED: (accounts.REBATES_IN_PAYMENT, accounts.REBATES_PAID),
    PayoutKind.FAILED: (accounts.REBATES_IN_PAYMENT, accounts.REBATES_PAYABLE),
}
_EVENTS = {
    PayoutKind.CUT: "ledger.payout_batched",
    PayoutKind.SETTLED: "ledger.payout_settled",
    PayoutKind.FAILED: "ledger.payout_failed",
}


def payout_entry(action: PayoutAction) -> JournalEntry:
    """The journal entry of one payout action (the same from the API and from a replay)."""
    source, target = _MOVES[action.kind]
    money = f"{fmt(action.amount)} {action.currency}"
    if action.kind is PayoutKind.CUT:
        summary = f"Payout of {money} in batch {action.batch_id} (cutoff {action.at.isoformat()})"
        steps = [
            f"{action.entries_covered} payable entries effective at or before {action.at.isoformat()} "
            f"and in no open or paid batch line sum to {money}",
            f"moved from {source} to {target}; remittance reference {action.detail}",
        ]
    elif action.kind is PayoutKind.SETTLED:
        summary = f"Payout of {money} paid (payment {action.detail})"
        steps = [f"finance acknowledged line {action.line_id} of batch {action.batch_id} as paid: {action.detail}"]
    else:
        summary = f"Payout of {money} failed: {action.detail}; the amount is payable again"
        steps = [
            f"finance reported line {action.line_id} of batch {action.batch_id} as failed: {action.detail}",
            "the amount returns to payable; the next batch pays it again",
        ]
    cut = action.kind is PayoutKind.CUT
    explanation = PayoutExplanation(
        event_type=_EVENTS[action.kind],
        batch_id=action.batch_id,
        line_id=action.line_id,
        currency=action.currency,
        amount=fmt(action.amount),
        detail=action.detail,
        summary=summary,
        steps=tuple(steps),
        entries_covered=action.entries_covered if cut else None,
        coverage_hash=action.coverage_hash if cut else None,
    )
    return JournalEntry(
        entry_id=entry_id(action.event_id, action.kind.value),
        partner_id=action.partner_id,
        kind=action.kind.value,
        caused_by=action.event_id,
        effective_at=action.at,
        rule_id=PAYOUT_RULE,
        rule_version=PAYOUT_RULE_VERSION,
        postings=transfer(
            accounts.partner_account(action.partner_id, source),
            accounts.partner_account(action.partner_id, target),
            action.currency,
            action.amount,
        ),
        explanation=explanation,
        stream=PAYOUT_STREAM,
    )


PAYOUT_EVENT_TYPES = frozenset(_EVENTS.values())


def action_from_event(
    event: LedgerPayoutBatched | LedgerPayoutSettled | LedgerPayoutFailed, event_id: str
) -> PayoutAction:
    """The payout action a ledger.payout_* event announces (what a replay applies)."""
    if isinstance(event, LedgerPayoutBatched):
        kind, at, detail = PayoutKind.CUT, event.cutoff, event.payee_reference
        covered, coverage = event.entries_covered, event.coverage_hash
    elif isinstance(event, LedgerPayoutSettled):
        kind, at, detail, covered, coverage = PayoutKind.SETTLED, event.paid_at, event.payment_reference, 0, ""
    else:
        kind, at, detail, covered, coverage = PayoutKind.FAILED, event.failed_at, event.reason, 0, ""
    return PayoutAction(
        kind=kind,
        partner_id=event.partner_id,
        batch_id=event.batch_id,
        line_id=event.line_id,
        currency=event.amount.currency,
        amount=event.amount.amount,
        at=at,
        registration_sequence=event.registration_sequence,
        event_id=event_id,
        detail=detail,
        entries_covered=covered,
        coverage_hash=coverage,
    )


def statement_period(at: datetime) -> tuple[date, date]:
    """The statement a cut line announces runs from the first day of the cutoff's quarter to its UTC day."""
    period_to = at.astimezone(UTC).date()
    return date(period_to.year, 3 * ((period_to.month - 1) // 3) + 1, 1), period_to


def statement_path(action: PayoutAction, period_from: date, period_to: date) -> str:
    """Where the partner reads the statement a cut line announces, on the ledger's API."""
    return f"/partners/{action.partner_id}/statement?from={period_from}&to={period_to}&currency={action.currency}"


def statement_ready(action: PayoutAction) -> LedgerStatementReady:
    """The ledger.statement_ready a cut line announces (its event id derives from the line: once per line):
    the partner's statement of the cutoff's quarter to date, in the line's currency."""
    period_from, period_to = statement_period(action.at)
    return LedgerStatementReady(
        partner_id=action.partner_id,
        batch_id=action.batch_id,
        line_id=action.line_id,
        currency=action.currency,
        amount=Money.recorded(action.amount, action.currency),
        period_from=period_from,
        period_to=period_to,
        cutoff=action.at,
        entries_covered=action.entries_covered,
        statement_path=statement_path(action, period_from, period_to),
    )


def statement_event_id(line: str) -> str:
    return name_based_id(BATCH_NAMESPACE, f"{line}|statement_ready")
