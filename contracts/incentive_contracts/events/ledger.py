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


@register
class LedgerMdfAccrued(EventPayload):
    """MDF accrued into a partner's fund as a percentage of won revenue (consumed by the mdf service)."""

    event_type = "ledger.mdf_accrued"
    version = 1

    entry_id: str
    deal_id: str
    period: str = Field(pattern=r"^[0-9]{4}-Q[1-4]$")
    amount: Money
    rate: str = Field(description="the accrual rate applied, as a decimal string")
    rule_version: int


@register
class LedgerMdfAccrualReversed(EventPayload):
    """A clawback took back (part of) an MDF accrual: the mdf service debits the partner's fund."""

    event_type = "ledger.mdf_accrual_reversed"
    version = 1

    entry_id: str = Field(description="the compensating journal entry")
    reverses: str = Field(description="the ledger.mdf_accrued entry it reverses")
    deal_id: str
    period: str = Field(pattern=r"^[0-9]{4}-Q[1-4]$")
    amount: Money = Field(description="the amount taken back, positive")
    rule_version: int
