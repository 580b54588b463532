"""Response models of the finance routes: payout batches and lines, and the ledger's reconciliation."""

from __future__ import annotations

from datetime import datetime

from incentive_contracts.money import Money
from pydantic import BaseModel, ConfigDict, Field

from ..application.money_ports import PayoutBatch, PayoutLine
from .schemas import money


class PayoutBatchOut(BaseModel):
    batch_id: str
    currency: str
    cutoff: datetime
    batched_at: datetime
    status: str = Field(description="open (a line in payment) | settled")
    lines: int
    total: Money
    in_payment: Money
    paid: Money
    failed: Money

    @classmethod
    def of(cls, b: PayoutBatch) -> PayoutBatchOut:
        c = b.currency
        return cls(
            batch_id=b.batch_id,
            currency=c,
            cutoff=b.cutoff,
            batched_at=b.batched_at,
            status=b.status,
            lines=b.lines,
            total=money(b.total, c),
            in_payment=money(b.in_payment, c),
            paid=money(b.paid, c),
            failed=money(b.failed, c),
        )


class PayoutBatchPage(BaseModel):
    items: list[PayoutBatchOut]
    next_cursor: str | None


class PayoutLineOut(BaseModel):
    line_id: str
    batch_id: str
    partner_id: str
    amount: Money
    payee_reference: str
    entries_covered: int
    status: str = Field(description="in_payment | paid | failed")
    payment_reference: str | None
    paid_at: datetime | None
    failure_reason: str | None
    failed_at: datetime | None

    @classmethod
    def of(cls, x: PayoutLine) -> PayoutLineOut:
        data = {k: getattr(x, k) for k in cls.model_fields if k != "amount"}
        return cls(amount=money(x.amount, x.currency), **data)


class PayoutLinePage(BaseModel):
    items: list[PayoutLineOut]
    next_cursor: str | None


class ReconciliationLineOut(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str
    currency: str
    expected: str | None
    actual: str
    difference: str | None
    ok: bool
    note: str | None = None


class ReconciliationOut(BaseModel):
    """The ledger's quarterly reconciliation, as the ledger answered it (one truth for each amount).
    When the ledger cannot be reached, ``available`` is false, ``error`` says why and nothing else is
    filled in (a failed reading, never an empty clean one)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    source: str = "ledger GET /reconciliation"
    available: bool = True
    error: str | None = None
    period: str
    from_: datetime | None = Field(default=None, alias="from")
    to_exclusive: datetime | None = None
    forecast_vs_actual: list[ReconciliationLineOut] = Field(default_factory=list)
    checks: list[ReconciliationLineOut] = Field(default_factory=list)
    differences: list[ReconciliationLineOut] = Field(default_factory=list)
    balanced: bool | None = None


class ReconciliationLinePage(BaseModel):
    """The forecast-against-actual lines as a table (the CSV export of the reconciliation)."""

    items: list[ReconciliationLineOut]
    next_cursor: str | None = None
