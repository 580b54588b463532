"""A payout line's announcements as the outbox takes them.

A cut announces three events per line (``ledger.payout_batched``, the payout entry's
``ledger.entry_posted`` and ``ledger.statement_ready``): ten thousand partners paid is thirty thousand
envelopes in one request. As the projector's announcements are (``announcements.py``), the cut's two
payout events are handed over as payload documents (what ``model_dump(mode="json")`` gives, built
from the action's values) and written by one ``orjson.dumps``. The models (:func:`payout_event`,
``domain.payouts.statement_ready``) stay the reference: tests compare the outbox bytes of both over
generated actions, and a value the model would refuse takes the model's path (and raises as it did).
Settlements and failures, one per acknowledgement, keep the model.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from incentive_contracts.envelope_bytes import PayloadDocument
from incentive_contracts.events.ledger import (
    LedgerPayoutBatched,
    LedgerPayoutFailed,
    LedgerPayoutSettled,
    LedgerStatementReady,
)
from incentive_contracts.money import Money
from incentive_contracts.payload import EventPayload
from pydantic import TypeAdapter

from ..domain.chain import ChainedEntry
from ..domain.payouts import (
    PayoutAction,
    PayoutKind,
    statement_event_id,
    statement_path,
    statement_period,
    statement_ready,
)
from .announcements import Staging, entry_posted_staging, money_document, recordable

_TIMES = TypeAdapter(datetime)
PARTNER_ID_LENGTH = range(1, 65)  # EventPayload.partner_id: 1 to 64 characters


def _cutoff_text(at: datetime) -> str:
    """The cutoff as the models write it; every line of a cut shares it, so it is written once a cut."""
    return _cutoff_written(at, at.utcoffset())


@lru_cache(maxsize=4)
def _cutoff_written(at: datetime, offset: timedelta | None) -> str:
    # Keyed by the offset too: instants that compare equal in other offsets are written differently.
    del offset
    return str(_TIMES.dump_python(at, mode="json"))


def action_events(action: PayoutAction, linked: ChainedEntry, recorded_at: datetime) -> list[Staging]:
    """What an action announces, in the order staged: its ``ledger.payout_*`` event, its entry's
    ``ledger.entry_posted`` and, for a cut line, the partner's ``ledger.statement_ready``."""
    events = [
        (payout_batched_payload(action, linked), recorded_at, action.event_id, None),
        entry_posted_staging(linked),
    ]
    if action.kind is PayoutKind.CUT:
        events.append(
            (statement_ready_payload(action), recorded_at, statement_event_id(action.line_id), action.event_id)
        )
    return events


def cut_events(
    actions: Sequence[PayoutAction], chained: Sequence[ChainedEntry], recorded_at: datetime
) -> list[Staging]:
    """The events of every action of a cut, action by action (each action's as :func:`action_events`)."""
    return [event for a, c in zip(actions, chained, strict=True) for event in action_events(a, c, recorded_at)]


def payout_event(action: PayoutAction, linked: ChainedEntry) -> EventPayload:
    """The event announcing a payout action, as its model (the reference for the cut's document)."""
    money = Money.recorded(action.amount, action.currency)
    common: dict[str, Any] = {
        "partner_id": action.partner_id,
        "batch_id": action.batch_id,
        "line_id": action.line_id,
        "entry_id": linked.entry.entry_id,
        "amount": money,
        "registration_sequence": action.registration_sequence,
    }
    if action.kind is PayoutKind.CUT:
        return LedgerPayoutBatched(
            **common,
            cutoff=action.at,
            payee_reference=action.detail,
            entries_covered=action.entries_covered,
            coverage_hash=action.coverage_hash,
        )
    if action.kind is PayoutKind.SETTLED:
        return LedgerPayoutSettled(**common, payment_reference=action.detail, paid_at=action.at)
    return LedgerPayoutFailed(**common, reason=action.detail, failed_at=action.at)


def _documented(action: PayoutAction) -> bool:
    """Whether every value of the cut's events is one its models accept as given (else the model path)."""
    return (
        action.kind is PayoutKind.CUT
        and recordable(action.amount, action.currency)
        and len(action.partner_id) in PARTNER_ID_LENGTH
        and action.entries_covered >= 0
        and action.registration_sequence >= 0
    )


def payout_batched_payload(action: PayoutAction, linked: ChainedEntry) -> EventPayload | PayloadDocument:
    """A payout action's event; a cut line's ``ledger.payout_batched`` as its document."""
    if not _documented(action):
        return payout_event(action, linked)
    data = {
        "partner_id": action.partner_id,
        "batch_id": action.batch_id,
        "line_id": action.line_id,
        "entry_id": linked.entry.entry_id,
        "amount": money_document(action.amount, action.currency),
        "cutoff": _cutoff_text(action.at),
        "payee_reference": action.detail,
        "entries_covered": action.entries_covered,
        "coverage_hash": action.coverage_hash,
        "registration_sequence": action.registration_sequence,
    }
    return PayloadDocument(LedgerPayoutBatched.event_type, LedgerPayoutBatched.version, action.partner_id, data)


def statement_ready_payload(action: PayoutAction) -> EventPayload | PayloadDocument:
    """A cut line's ``ledger.statement_ready`` as its document (``statement_ready`` is the reference)."""
    if not _documented(action):
        return statement_ready(action)
    period_from, period_to = statement_period(action.at)
    data = {
        "partner_id": action.partner_id,
        "batch_id": action.batch_id,
        "line_id": action.line_id,
        "currency": action.currency,
        "amount": money_document(action.amount, action.currency),
        "period_from": period_from.isoformat(),
        "period_to": period_to.isoformat(),
        "cutoff": _cutoff_text(action.at),
        "entries_covered": action.entries_covered,
        "statement_path": statement_path(action, period_from, period_to),
    }
    return PayloadDocument(LedgerStatementReady.event_type, LedgerStatementReady.version, action.partner_id, data)
