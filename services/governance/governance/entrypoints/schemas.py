"""Request and response bodies of the benefit, dispute, audit and feedback routes (plans: schemas_plans)."""

from __future__ import annotations

from datetime import date

from incentive_contracts.dates import PERIOD_PATTERN, BusinessDate
from incentive_contracts.events.governance import (
    AuditItemKind,
    DisputeSubject,
    Evidence,
    GovernanceBenefitGranted,
    GovernanceBenefitRevoked,
    ProposalStatus,
)
from incentive_contracts.money import Money
from incentive_contracts.payload import EventPayload
from pydantic import BaseModel, ConfigDict, Field
from servicekit.viewer import ActorName, OptionalActorName

from ..application.benefits import BenefitsView
from ..application.disputes import ResolutionTimes
from ..domain.audit import AuditPeriod
from ..domain.dispute import Dispute
from ..domain.feedback import Proposal

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


# Benefits


class EvaluateBody(Body):
    as_of: BusinessDate | None = Field(default=None, description="default: today")
    partner_id: str | None = Field(default=None, min_length=1, max_length=64, description="default: every partner")


class BenefitChangeOut(BaseModel):
    change: str  # granted | revoked
    benefit: str
    effective_on: date
    rule_id: str
    rules_version: int
    window_from: date
    window_to: date
    inputs: dict[str, str]
    minimum: dict[str, str]
    unmet: list[str]
    amount: Money | None

    @classmethod
    def of(cls, event: EventPayload) -> BenefitChangeOut:
        assert isinstance(event, GovernanceBenefitGranted | GovernanceBenefitRevoked)
        granted = isinstance(event, GovernanceBenefitGranted)
        return cls(
            change="granted" if granted else "revoked",
            benefit=event.benefit,
            effective_on=event.effective_on,
            rule_id=event.rule_id,
            rules_version=event.rules_version,
            window_from=event.window_from,
            window_to=event.window_to,
            inputs=event.inputs,
            minimum=event.minimum,
            unmet=[] if isinstance(event, GovernanceBenefitGranted) else event.unmet,
            amount=event.amount if isinstance(event, GovernanceBenefitGranted) else None,
        )


class HeldBenefitOut(BaseModel):
    benefit: str
    rule_id: str
    since: date
    rules_version: int


class BenefitsOut(BaseModel):
    partner_id: str
    held: list[HeldBenefitOut]
    history: list[BenefitChangeOut]

    @classmethod
    def of(cls, view: BenefitsView) -> BenefitsOut:
        held = sorted(view.standing.held.values(), key=lambda h: (h.benefit, h.rule_id))
        return cls(
            partner_id=view.standing.partner_id,
            held=[
                HeldBenefitOut(benefit=h.benefit, rule_id=h.rule_id, since=h.since, rules_version=h.rules_version)
                for h in held
            ],
            history=[BenefitChangeOut.of(e) for e in view.history],
        )


class EvaluationOut(BaseModel):
    as_of: date
    changes: list[BenefitChangeOut]
    partners: list[str]


# Disputes


class OpenDisputeBody(Body):
    dispute_id: str = Field(pattern=ID_PATTERN)
    partner_id: str = Field(min_length=1, max_length=64)
    subject_kind: DisputeSubject
    subject_ref: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=4000)
    evidence: list[Evidence] = Field(default_factory=list, max_length=20)
    claimed_amount: Money | None = None


class ReasonBody(Body):
    reason: str = Field(min_length=1, max_length=2000)


class ResolveBody(ReasonBody):
    compensation: Money


class DisputeOut(BaseModel):
    dispute_id: str
    partner_id: str
    subject_kind: DisputeSubject
    subject_ref: str
    description: str
    evidence: list[Evidence]
    claimed_amount: Money | None
    opened_on: date
    opened_by: ActorName
    status: str
    level: int
    waiting_since: date | None
    reviewer: OptionalActorName
    compensation: Money | None
    reason: str | None
    resolved_on: date | None
    days_to_resolution: int | None

    @classmethod
    def of(cls, d: Dispute) -> DisputeOut:
        return cls(
            dispute_id=d.dispute_id,
            partner_id=d.partner_id,
            subject_kind=d.subject_kind,
            subject_ref=d.subject_ref,
            description=d.description,
            evidence=list(d.evidence),
            claimed_amount=d.claimed_amount,
            opened_on=d.opened_on,
            opened_by=d.opened_by,
            status=d.status,
            level=d.level,
            waiting_since=d.waiting_since,
            reviewer=d.reviewer,
            compensation=d.compensation,
            reason=d.reason,
            resolved_on=d.resolved_on,
            days_to_resolution=d.days_to_resolution,
        )


class DisputePage(BaseModel):
    items: list[DisputeOut]
    next_cursor: str | None


class EscalationRunOut(BaseModel):
    as_of: date
    escalated: list[str]


class ResolutionTimesOut(BaseModel):
    resolved: int
    open: int
    mean_days: float | None
    median_days: float | None
    max_days: int | None

    @classmethod
    def of(cls, t: ResolutionTimes) -> ResolutionTimesOut:
        return cls(
            resolved=t.resolved, open=t.open, mean_days=t.mean_days, median_days=t.median_days, max_days=t.max_days
        )


# Audits


class DrawBody(Body):
    """The rate is the program's (the version in force on the period's first day): no request sets it."""

    period: str = Field(pattern=PERIOD_PATTERN)
    seed: str | None = Field(
        default=None, min_length=1, max_length=200, description="for reproducing a draw; default GOVERNANCE_AUDIT_SEED"
    )


class AuditDecisionBody(Body):
    note: str | None = Field(default=None, min_length=1, max_length=2000, description="a failure needs its reason")


class AuditItemOut(BaseModel):
    item_kind: AuditItemKind
    item_id: str
    partner_id: str
    status: str
    decided_by: str | None
    decided_on: date | None
    note: str | None


class AuditOut(BaseModel):
    period: str
    seed: str
    rate: str
    drawn_on: date | None
    items: list[AuditItemOut]

    @classmethod
    def of(cls, a: AuditPeriod) -> AuditOut:
        return cls(
            period=a.period,
            seed=a.seed,
            rate=a.rate,
            drawn_on=a.drawn_on,
            items=[
                AuditItemOut(
                    item_kind=i.kind,
                    item_id=i.item_id,
                    partner_id=i.partner_id,
                    status=i.status,
                    decided_by=i.decided_by,
                    decided_on=i.decided_on,
                    note=i.note,
                )
                for _, i in sorted(a.items.items())
            ],
        )


# Feedback


class ProposalBody(Body):
    proposal_id: str = Field(pattern=ID_PATTERN)
    partner_id: str = Field(min_length=1, max_length=64)
    program_id: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=4000)


class AnswerBody(Body):
    status: ProposalStatus
    answer: str = Field(min_length=1, max_length=4000)


class AnswerOut(BaseModel):
    status: ProposalStatus
    answer: str
    answered_on: date
    answered_by: ActorName


class ProposalOut(BaseModel):
    proposal_id: str
    partner_id: str
    program_id: str
    title: str
    text: str
    submitted_on: date
    submitted_by: ActorName
    status: str
    answers: list[AnswerOut]

    @classmethod
    def of(cls, p: Proposal) -> ProposalOut:
        return cls(
            proposal_id=p.proposal_id,
            partner_id=p.partner_id,
            program_id=p.program_id,
            title=p.title,
            text=p.text,
            submitted_on=p.submitted_on,
            submitted_by=p.submitted_by,
            status=p.status,
            answers=[
                AnswerOut(status=a.status, answer=a.answer, answered_on=a.answered_on, answered_by=a.answered_by)
                for a in p.answers
            ],
        )


class ProposalPage(BaseModel):
    items: list[ProposalOut]
    next_cursor: str | None
