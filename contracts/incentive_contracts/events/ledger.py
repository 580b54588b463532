"""ledger.* events: what the ledger posted (ledger service)."""

from __future__ import annotations

from pydantic import Field

from ..money import Money
from ..payload import EventPayload, WireModel
from ..registry import register


class PostingLine(WireModel):
    account: str
    amount: Money


@register
class LedgerEntryPosted(EventPayload):
    event_type = "ledger.entry_posted"
    version = 1

    entry_id: str
    caused_by: str = Field(description="id of the event that caused the entry")
    kind: str
    postings: list[PostingLine]
    rule_id: str
    rule_version: int
    entry_hash: str
