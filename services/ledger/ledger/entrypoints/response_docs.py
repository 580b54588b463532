"""The success bodies of the ledger's routes, as models (the OpenAPI document shows each answer).

Amounts are decimal strings, as everywhere. Times (``Timestamp``) are written as Python's
``isoformat`` writes them (``+00:00``, not ``Z``): the JSON these routes have always answered.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PrivateAttr,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    WithJsonSchema,
    model_serializer,
)
from pydantic_core import to_jsonable_python


def _isoformat(value: datetime) -> str:
    return value.isoformat()


Timestamp = Annotated[
    datetime,
    PlainSerializer(_isoformat, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


def decimal_text(value: Decimal | None) -> str | None:
    """An optional amount or ratio as the decimal string the API answers."""
    return None if value is None else format(value, "f")


class _Out(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


class PostingOut(_Out):
    account: str
    currency: str
    amount: str


class EntryOut(_Out):
    entry_id: str
    partner_id: str
    stream: str
    sequence: int
    kind: str
    deal_id: str | None
    caused_by: str
    effective_at: Timestamp
    rule_id: str | None
    rule_version: int | None
    reverses: str | None
    summary: str | None
    explanation: dict[str, Any]
    postings: list[PostingOut]
    prev_hash: str | None
    entry_hash: str


class EntryPageOut(_Out):
    items: list[EntryOut]
    next_cursor: str | None


class RuleRefOut(_Out):
    rule_id: str | None
    version: int | None
    program: str | None


class CauseOut(_Out):
    event_id: str
    event_type: str | None


class ExplanationOut(_Out):
    entry_id: str
    partner_id: str
    kind: str
    effective_on: date
    summary: str
    steps: list[Any]
    text: str
    rule: RuleRefOut
    caused_by: CauseOut
    inputs: dict[str, Any]
    postings: list[PostingOut]
    reverses: str | None
    reversed_by: list[str]


class TierOut(_Out):
    partner_id: str
    program_id: str | None
    tier: str | None
    tier_since: str | None
    reviewed_through: str | None


class ProgramVersionRefOut(_Out):
    version: int
    status: str
    effective_from: date | None


class ProgramOut(_Out):
    program_id: str
    versions: list[ProgramVersionRefOut]
    title: str | None


class ProgramListOut(_Out):
    items: list[ProgramOut]


class InForceOut(_Out):
    program_id: str
    on: date
    version: int
    effective_from: date | None


class BatchOut(_Out):
    batch_id: str
    currency: str
    cutoff: Timestamp
    minimum_amount: str
    status: str
    line_count: int
    total: str
    content_hash: str | None
    created_at: Timestamp
    created_by: str
    settled_at: Timestamp | None


class BatchPageOut(_Out):
    items: list[BatchOut]
    next_cursor: str | None


class LineOut(_Out):
    line_id: str
    batch_id: str
    partner_id: str
    amount: str
    currency: str
    payee_reference: str | None
    status: str
    payment_reference: str | None
    failure_reason: str | None
    acknowledged_at: Timestamp | None
    entries_covered: int
    coverage_hash: str | None
    cut_entry_id: str | None
    outcome_entry_id: str | None


class CoveredLineOut(LineOut):
    covered_entry_ids: list[str]


class BatchLinesOut(_Out):
    batch: BatchOut
    items: list[CoveredLineOut]
    next_cursor: str | None


class AcknowledgedOut(_Out):
    batch: BatchOut
    lines: list[LineOut]


class PartnerLineOut(LineOut):
    cutoff: Timestamp


class PartnerPayoutsOut(_Out):
    items: list[PartnerLineOut]
    next_cursor: str | None


class ConsumedEventOut(_Out):
    consumed_seq: int
    event_id: str
    consumer_group: str
    topic: str
    partition: int
    offset: int
    event_type: str
    partner_id: str | None
    event_time: Timestamp | None
    event: dict[str, Any]


class ConsumedEventPageOut(_Out):
    items: list[ConsumedEventOut]
    next_cursor: str | None


class ChainHeadOut(_Out):
    partner_id: str
    stream: str
    last_sequence: int
    head_hash: str


class ChainHeadPageOut(_Out):
    items: list[ChainHeadOut]
    next_cursor: str | None


class ReconciliationLineOut(_Out):
    name: str
    currency: str
    expected: str | None
    actual: str
    difference: str | None
    ok: bool
    note: str | None


class ReconciliationOut(_Out):
    period: str
    period_from: date = Field(alias="from")
    to_exclusive: date
    forecast_vs_actual: list[ReconciliationLineOut]
    checks: list[ReconciliationLineOut]
    differences: list[ReconciliationLineOut]
    balanced: bool


class ForecastOut(_Out):
    period: str
    currency: str
    reward_expense: str
    mdf_usage: str
    payouts: str


class SimulatedMoneyOut(_Out):
    rewards: str
    capped: str
    mdf_accrual: str


class SimulatedPartnerOut(_Out):
    partner_id: str
    currency: str
    actual: SimulatedMoneyOut
    simulated: SimulatedMoneyOut
    difference: SimulatedMoneyOut


class SimulationOut(_Out):
    """A simulation: validated against this model, answered in the stored document's own key order
    (PostgreSQL's JSONB order, as this route has always answered)."""

    model_config = ConfigDict(populate_by_name=True, extra="allow")
    _stored: dict[str, Any] | None = PrivateAttr(default=None)

    simulation_id: str
    created_at: Timestamp
    created_by: str
    program_id: str
    version: int | None
    period_from: date | None = Field(alias="from")
    period_to: date | None = Field(alias="to")
    partner_id: str | None
    events_replayed: int
    partners_on_program: list[str]
    partners: list[SimulatedPartnerOut]

    @classmethod
    def as_stored(cls, document: dict[str, Any]) -> SimulationOut:
        out = cls.model_validate(document)
        out._stored = document
        return out

    # No return annotation: pydantic would document the annotation instead of the fields above.
    @model_serializer(mode="wrap")
    def _in_stored_order(self, handler: SerializerFunctionWrapHandler, info: SerializationInfo):  # type: ignore[no-untyped-def]
        if self._stored is None:
            return handler(self)
        return to_jsonable_python(self._stored) if info.mode == "json" else self._stored


class SimulationPageOut(_Out):
    items: list[SimulationOut]
    next_cursor: str | None


class PilotOut(_Out):
    pilot_id: str
    base_program_id: str
    variant_program_id: str
    cohort_tag: str
    control_tag: str
    starts_on: date
    ends_on: date | None
    created_at: Timestamp
    description: str | None


class PilotListOut(_Out):
    items: list[PilotOut]


class CohortChangeOut(_Out):
    partner_id: str
    tag: str
    effective_on: date
    member: bool
    recorded_at: Timestamp


class CohortChangesOut(_Out):
    tag: str
    changes: list[CohortChangeOut]


class CohortMembersOut(_Out):
    tag: str
    on: date
    members: list[str]


class GroupMetricsOut(_Out):
    currency: str
    partners: int
    won_deals: int
    lost_deals: int
    win_rate: str | None
    won_revenue: str
    reward_cost: str
    reward_cost_per_revenue: str | None


class GroupReportOut(_Out):
    tag: str
    partners: list[str]
    metrics: list[GroupMetricsOut]


class PilotReportOut(_Out):
    pilot: PilotOut
    period_from: date = Field(alias="from")
    period_to: date = Field(alias="to")
    cohort: GroupReportOut
    control: GroupReportOut
