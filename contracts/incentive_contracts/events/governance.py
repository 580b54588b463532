"""governance.* events: the partner relationship (governance service).

Joint partner plans and their versions, signatures and rituals; commitment benefits granted and
revoked with their explanation; disputes through review, escalation and resolution; spot audits of
won deals and MDF claims; and partner feedback. Every payload names the partner (the partition key).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field

from ..money import Money
from ..payload import EventPayload, WireModel
from ..registry import register

Name = Annotated[str, Field(min_length=1, max_length=200)]
Text = Annotated[str, Field(min_length=1, max_length=4000)]
Ident = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")]
Metric = Annotated[
    str,
    Field(
        pattern=r"^[a-z][a-z_]{0,39}(:[A-Z]{3})?$",
        description="engagement_points, certifications, rituals_held, mdf_claims, mdf_spend:<CCY>, "
        "pipeline:<CCY>, won:<CCY>, wins",
    ),
]
Quantity = Annotated[str, Field(pattern=r"^[0-9]{1,15}(\.[0-9]{1,4})?$", description="a decimal, as a string")]
AuditPeriod = Annotated[str, Field(pattern=r"^[0-9]{4}-Q[1-4]$", description="audit period, e.g. 2026-Q2")]
ActivityKind = Literal["qbr", "annual_strategic_plan", "enablement", "campaign"]
PlanSide = Literal["partner", "vendor"]
BenefitKind = Literal["non_monetary", "monetary"]
DisputeSubject = Literal["statement_line", "missing_reward", "conflict_decision", "mdf_claim"]
AuditItemKind = Literal["deal", "mdf_claim"]
ProposalStatus = Literal["under_consideration", "accepted", "declined"]


class PlanActivity(WireModel):
    """One joint activity on the plan's calendar, with an owner on each side and a due date."""

    activity_id: Ident
    kind: ActivityKind
    title: Name
    partner_owner: Name
    vendor_owner: Name
    due_on: date


class SuccessCriterion(WireModel):
    """A mutual success criterion: a measurable target for the plan's year."""

    criterion_id: Ident
    metric: Metric
    target: Quantity
    description: str = Field(default="", max_length=500)


class PlanContent(WireModel):
    """What both sides agree on in one version of a joint plan."""

    target_segments: list[Name] = Field(default_factory=list, max_length=50)
    value_propositions: list[Name] = Field(default_factory=list, max_length=50)
    co_branded_materials: list[Name] = Field(default_factory=list, max_length=50)
    activities: list[PlanActivity] = Field(default_factory=list, max_length=200)
    criteria: list[SuccessCriterion] = Field(default_factory=list, max_length=50)


class Evidence(WireModel):
    """A document supporting a dispute: where it is and, when known, the SHA-256 of its content."""

    reference: str = Field(min_length=1, max_length=500)
    content_hash: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")


@register
class GovernancePlanDrafted(EventPayload):
    """A joint partner plan for one year was drafted (version 1, not yet signed)."""

    event_type = "governance.plan_drafted"
    version = 1

    plan_id: Ident
    year: int = Field(ge=1970, le=2999)
    plan_version: int = Field(ge=1)
    content: PlanContent
    drafted_on: date
    drafted_by: str


@register
class GovernancePlanRevised(EventPayload):
    """The plan's content changed: a draft is amended in place, a signed version starts a new one."""

    event_type = "governance.plan_revised"
    version = 1

    plan_id: Ident
    plan_version: int = Field(ge=1)
    content: PlanContent
    revised_on: date
    revised_by: str


@register
class GovernancePlanSigned(EventPayload):
    """One side signed a version; ``fully_signed`` once both have."""

    event_type = "governance.plan_signed"
    version = 1

    plan_id: Ident
    plan_version: int = Field(ge=1)
    side: PlanSide
    signed_by: str
    signed_on: date
    fully_signed: bool


@register
class GovernancePlanActivityCompleted(EventPayload):
    """A joint activity was held (recorded by hand or matched from an engagement or MDF event)."""

    event_type = "governance.plan_activity_completed"
    version = 1

    plan_id: Ident
    activity_id: Ident
    kind: ActivityKind
    due_on: date
    completed_on: date
    on_time: bool
    source: str = Field(min_length=1, max_length=200, description="'manual:<who>' or '<event type>:<id>'")


@register
class GovernanceBenefitGranted(EventPayload):
    """The partner's activity reached a commitment rule's minimum: the benefit holds from ``effective_on``."""

    event_type = "governance.benefit_granted"
    version = 1

    benefit: Ident
    kind: BenefitKind
    amount: Money | None = Field(default=None, description="monetary benefits only")
    effective_on: date
    rule_id: Ident
    rules_version: int = Field(ge=0, description="the program version whose commitment rules applied (0: built-in)")
    window_from: date
    window_to: date
    inputs: dict[Metric, Quantity] = Field(description="the partner's activity in the window, per metric")
    minimum: dict[Metric, Quantity] = Field(description="the rule's minimum, per metric")


@register
class GovernanceBenefitRevoked(EventPayload):
    """The partner's activity fell below the rule's minimum: the benefit ends on ``effective_on``."""

    event_type = "governance.benefit_revoked"
    version = 1

    benefit: Ident
    effective_on: date
    rule_id: Ident
    rules_version: int = Field(ge=0, description="the program version whose commitment rules applied (0: built-in)")
    window_from: date
    window_to: date
    inputs: dict[Metric, Quantity]
    minimum: dict[Metric, Quantity]
    unmet: list[Metric] = Field(description="the metrics below their minimum")


@register
class GovernanceDisputeOpened(EventPayload):
    """A partner contested a statement line, a missing reward, a conflict decision or an MDF claim."""

    event_type = "governance.dispute_opened"
    version = 1

    dispute_id: Ident
    subject_kind: DisputeSubject
    subject_ref: str = Field(min_length=1, max_length=200)
    description: Text
    evidence: list[Evidence] = Field(default_factory=list, max_length=20)
    claimed_amount: Money | None = None
    opened_on: date
    opened_by: str


@register
class GovernanceDisputeReviewStarted(EventPayload):
    event_type = "governance.dispute_review_started"
    version = 1

    dispute_id: Ident
    reviewer: str
    started_on: date


@register
class GovernanceDisputeEscalated(EventPayload):
    """The dispute went one level up: on the partner's request or after the configured time unanswered."""

    event_type = "governance.dispute_escalated"
    version = 1

    dispute_id: Ident
    level: int = Field(ge=1)
    reason: Literal["requested", "overdue"]
    escalated_on: date
    escalated_by: str


@register
class GovernanceDisputeResolved(EventPayload):
    """The dispute was decided. In the partner's favour it carries the compensation the ledger posts
    (an entry referencing the dispute); a rejection carries its reason."""

    event_type = "governance.dispute_resolved"
    version = 1

    dispute_id: Ident
    subject_kind: DisputeSubject
    subject_ref: str
    outcome: Literal["partner_favour", "rejected"]
    compensation: Money | None = None
    reason: str = Field(min_length=1, max_length=2000)
    resolved_on: date
    resolved_by: str
    days_to_resolution: int = Field(ge=0)


@register
class GovernanceAuditItemSampled(EventPayload):
    """A won deal or an MDF claim was drawn into the period's spot audit (seeded, reproducible)."""

    event_type = "governance.audit_item_sampled"
    version = 1

    audit_period: AuditPeriod
    item_kind: AuditItemKind
    item_id: str = Field(min_length=1, max_length=200)
    seed: str
    rate: Quantity
    sampled_on: date


@register
class GovernanceAuditItemConfirmed(EventPayload):
    event_type = "governance.audit_item_confirmed"
    version = 1

    audit_period: AuditPeriod
    item_kind: AuditItemKind
    item_id: str
    confirmed_by: str
    confirmed_on: date
    note: str | None = None


@register
class GovernanceAuditItemFailed(EventPayload):
    """A sampled item failed its audit: the item's flag is to be confirmed (the ledger reverses or holds)."""

    event_type = "governance.audit_item_failed"
    version = 1

    audit_period: AuditPeriod
    item_kind: AuditItemKind
    item_id: str
    failed_by: str
    failed_on: date
    reason: str = Field(min_length=1, max_length=2000)
    flag_confirmation_requested: bool = True


@register
class GovernanceProposalSubmitted(EventPayload):
    event_type = "governance.proposal_submitted"
    version = 1

    proposal_id: Ident
    program_id: str = Field(min_length=1, max_length=64)
    title: Name
    text: Text
    submitted_on: date
    submitted_by: str


@register
class GovernanceProposalAnswered(EventPayload):
    event_type = "governance.proposal_answered"
    version = 1

    proposal_id: Ident
    program_id: str
    status: ProposalStatus
    answer: Text
    answered_on: date
    answered_by: str
