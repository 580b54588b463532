"""ledger.* events: what the ledger posted (ledger service)."""

from __future__ import annotations

from datetime import date, datetime

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


@register
class LedgerPayoutBatched(EventPayload):
    """A partner's payable rewards entered a payout batch: payable -> in payment (finance pays the line)."""

    event_type = "ledger.payout_batched"
    version = 1

    batch_id: str
    line_id: str
    entry_id: str = Field(description="the journal entry moving the amount from payable to in payment")
    amount: Money = Field(description="the line's amount, positive")
    cutoff: datetime = Field(description="the batch covers payable entries effective at or before this time")
    payee_reference: str = Field(description="the remittance reference finance puts on the payment")
    entries_covered: int = Field(ge=0, description="how many journal entries the line covers")
    coverage_hash: str = Field(description="SHA-256 over the covered entry ids, sorted")
    registration_sequence: int = Field(
        ge=0, description="the partner's registration chain position at the cut (replays apply it there)"
    )


@register
class LedgerPayoutSettled(EventPayload):
    """Finance acknowledged a payout line as paid: in payment -> paid."""

    event_type = "ledger.payout_settled"
    version = 1

    batch_id: str
    line_id: str
    entry_id: str = Field(description="the journal entry moving the amount from in payment to paid")
    amount: Money
    payment_reference: str = Field(min_length=1, description="the external payment reference")
    paid_at: datetime
    registration_sequence: int = Field(ge=0)


@register
class LedgerPayoutFailed(EventPayload):
    """Finance reported a payout line as failed: its amount returns from in payment to payable."""

    event_type = "ledger.payout_failed"
    version = 1

    batch_id: str
    line_id: str
    entry_id: str = Field(description="the journal entry returning the amount to payable")
    amount: Money
    reason: str = Field(min_length=1)
    failed_at: datetime
    registration_sequence: int = Field(ge=0)


@register
class LedgerStatementReady(EventPayload):
    """A partner's statement for a payout is ready: a payout batch was cut with a line for the partner in
    this currency. The statement runs from the first day of the cutoff's quarter (``period_from``) to
    the cutoff's day (``period_to``); the line pays the payable entries effective by the cutoff that no
    earlier batch paid. Partners and finance systems subscribe to it through governance's outbound
    webhooks."""

    event_type = "ledger.statement_ready"
    version = 1

    batch_id: str
    line_id: str
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    amount: Money = Field(description="the payout line's amount")
    period_from: date = Field(description="the statement runs from this day (the cutoff's quarter start)")
    period_to: date = Field(description="the statement runs to this day (the cutoff's UTC day)")
    cutoff: datetime = Field(description="the batch's cutoff: entries effective at or before it")
    entries_covered: int = Field(ge=0, description="how many journal entries the line covers")
    statement_path: str = Field(description="where the partner reads the statement on the ledger's API")
