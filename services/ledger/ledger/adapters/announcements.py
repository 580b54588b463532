"""The payloads the projector announces per journal entry, as the outbox takes them.

Every entry is announced (``ledger.entry_posted``) and every MDF accrual (``ledger.mdf_accrued``): a
batch of 2,000 deal events writes thousands of them. Their values are the ledger's own (an entry just
chained, an announcement decided from a validated event), so they are handed to the outbox as payload
documents (:class:`~incentive_contracts.envelope_bytes.PayloadDocument`: what the model's
``model_dump(mode="json")`` gives, built directly), and the envelope is written by one ``orjson.dumps``;
no model is constructed, validated and dumped per entry. The models (:func:`entry_posted`, the
announcement's own payload) stay the reference: tests compare the outbox bytes of both over generated
entries and the contract examples, and a value the model would refuse takes the model's path.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

from incentive_contracts.envelope_bytes import PayloadDocument
from incentive_contracts.events.ledger import LedgerEntryPosted, LedgerMdfAccrued, PostingLine
from incentive_contracts.money import Money
from incentive_contracts.payload import EventPayload

from ..domain.chain import ChainedEntry
from ..domain.outcome import name_based_id

EVENT_NAMESPACE = uuid.UUID("0b9f7d1e-3c55-4a8e-8f0e-7d4b2f6a9c31")
_CODE = re.compile(r"^[A-Z]{3}$")


def entry_posted_event_id(entry_id: str) -> str:
    """The id of an entry's ``ledger.entry_posted`` event: ``str(uuid.uuid5(EVENT_NAMESPACE, entry_id))``."""
    return name_based_id(EVENT_NAMESPACE, entry_id)


def entry_posted(entry: ChainedEntry) -> LedgerEntryPosted:
    """The announcement of a chained entry as its model (the reference for :func:`entry_posted_payload`)."""
    e = entry.entry
    return LedgerEntryPosted(
        partner_id=e.partner_id,
        entry_id=e.entry_id,
        caused_by=e.caused_by,
        kind=e.kind,
        postings=[PostingLine(account=p.account, amount=Money.recorded(p.amount, p.currency)) for p in e.postings],
        rule_id=e.rule_id,
        rule_version=e.rule_version,
        entry_hash=entry.entry_hash,
    )


@cache
def _code(currency: str) -> bool:
    return bool(_CODE.fullmatch(currency))


def recordable(amount: Decimal, currency: str) -> bool:
    """Whether ``Money.recorded`` takes the amount and code as they are (else it raises)."""
    return amount.is_finite() and _code(currency)


def money_document(amount: Decimal, currency: str) -> dict[str, str]:
    """Money as its model dumps it (``Money.model_dump(mode="json")``)."""
    return {"amount": format(amount, "f"), "currency": currency}


def entry_posted_payload(entry: ChainedEntry) -> LedgerEntryPosted | PayloadDocument:
    """The announcement of a chained entry as its document; the model where ``Money.recorded`` would
    refuse a posting (it raises as it always did)."""
    e = entry.entry
    postings: list[dict[str, Any]] = []
    for p in e.postings:
        if not recordable(p.amount, p.currency):
            return entry_posted(entry)
        postings.append({"account": p.account, "amount": money_document(p.amount, p.currency)})
    data = {
        "partner_id": e.partner_id,
        "entry_id": e.entry_id,
        "caused_by": e.caused_by,
        "kind": e.kind,
        "postings": postings,
        "rule_id": e.rule_id,
        "rule_version": e.rule_version,
        "entry_hash": entry.entry_hash,
    }
    return PayloadDocument(LedgerEntryPosted.event_type, LedgerEntryPosted.version, e.partner_id, data)


def announced_payload(payload: EventPayload) -> EventPayload | PayloadDocument:
    """An announcement's payload as the outbox takes it: an MDF accrual (one per won deal) as its
    document, written from the validated model's values; any other as it is."""
    if type(payload) is not LedgerMdfAccrued:
        return payload
    data = {
        "partner_id": payload.partner_id,
        "entry_id": payload.entry_id,
        "deal_id": payload.deal_id,
        "period": payload.period,
        "amount": money_document(payload.amount.amount, payload.amount.currency),
        "rate": payload.rate,
        "rule_version": payload.rule_version,
    }
    return PayloadDocument(payload.event_type, payload.version, payload.subject, data)


Staging = tuple[EventPayload | PayloadDocument, datetime, str, str | None]
"""An event as ``UnitOfWork.publish`` takes it: payload, time, event id, causation id."""


def entry_posted_staging(entry: ChainedEntry) -> Staging:
    """A chained entry's ``ledger.entry_posted``, ready to stage."""
    e = entry.entry
    return entry_posted_payload(entry), e.effective_at, entry_posted_event_id(e.entry_id), e.caused_by
