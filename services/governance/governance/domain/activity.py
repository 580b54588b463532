"""What another service's event tells governance: activity facts for benefit rules and plan progress,
the plan activity kind it completes, and the spot-audit population it adds to.

Facts are keyed by the source fact (deal id, engagement id, claim id), so an event re-sent under a new
event id counts once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from incentive_contracts.events.deal import DealRegistered, DealReversed, DealWon
from incentive_contracts.events.engagement import EngagementKind, EngagementRecorded
from incentive_contracts.events.governance import ActivityKind, AuditItemKind
from incentive_contracts.events.mdf import MdfClaimApproved, MdfClaimSubmitted, MdfResultsReported
from incentive_contracts.payload import EventPayload

from .audit import AuditCandidate, period_of

RITUALS_HELD = "rituals_held"
MDF_CLAIMS = "mdf_claims"
WINS = "wins"

# Which plan ritual an engagement of each kind is.
RITUAL_OF: dict[EngagementKind, ActivityKind] = {
    EngagementKind.QUARTERLY_BUSINESS_REVIEW: "qbr",
    EngagementKind.JOINT_BUSINESS_PLAN: "annual_strategic_plan",
    EngagementKind.ENABLEMENT_SESSION: "enablement",
    EngagementKind.JOINT_MARKETING_ACTIVITY: "campaign",
}


@dataclass(frozen=True)
class ActivityFact:
    fact_id: str
    partner_id: str
    metric: str
    on: date
    quantity: Decimal


@dataclass(frozen=True)
class RitualSeen:
    """An observed activity that completes the matching ritual of the partner's plan for that year."""

    partner_id: str
    kind: ActivityKind
    on: date
    source: str


def facts_of(event: EventPayload) -> list[ActivityFact]:
    p = event.partner_id
    if isinstance(event, EngagementRecorded):
        kind = f"engagement:{event.kind.value}"
        return [ActivityFact(f"engagement:{event.engagement_id}", p, kind, event.occurred_on, Decimal(1))]
    if isinstance(event, DealRegistered):
        expected = event.expected_amount
        metric = f"pipeline:{expected.currency}"
        return [ActivityFact(f"pipeline:{event.deal_id}", p, metric, event.registered_on, expected.amount)]
    if isinstance(event, DealWon):
        won = event.amount
        return [
            ActivityFact(f"won:{event.deal_id}", p, f"won:{won.currency}", event.closed_on, won.amount),
            ActivityFact(f"win:{event.deal_id}", p, WINS, event.closed_on, Decimal(1)),
        ]
    if isinstance(event, DealReversed):
        fact_id = f"reversed:{event.deal_id}:{event.reversed_on.isoformat()}:{event.amount.amount}"
        facts = [ActivityFact(fact_id, p, f"won:{event.amount.currency}", event.reversed_on, -event.amount.amount)]
        if event.full:  # a fully reversed deal is no longer a win
            facts.append(ActivityFact(f"unwin:{event.deal_id}", p, WINS, event.reversed_on, Decimal(-1)))
        return facts
    if isinstance(event, MdfClaimApproved):
        spend = event.approved_amount
        return [
            ActivityFact(f"claim:{event.claim_id}", p, MDF_CLAIMS, event.approved_on, Decimal(1)),
            ActivityFact(f"spend:{event.claim_id}", p, f"mdf_spend:{spend.currency}", event.approved_on, spend.amount),
        ]
    return []


def ritual_of(event: EventPayload) -> RitualSeen | None:
    if isinstance(event, EngagementRecorded) and event.kind in RITUAL_OF:
        source = f"{event.event_type}:{event.engagement_id}"
        return RitualSeen(event.partner_id, RITUAL_OF[event.kind], event.occurred_on, source)
    if isinstance(event, MdfResultsReported):
        return RitualSeen(event.partner_id, "campaign", event.reported_on, f"{event.event_type}:{event.result_id}")
    return None


def audit_candidate_of(event: EventPayload) -> AuditCandidate | None:
    kind: AuditItemKind
    if isinstance(event, DealWon):
        kind, item_id, on = "deal", event.deal_id, event.closed_on
    elif isinstance(event, MdfClaimSubmitted):
        kind, item_id, on = "mdf_claim", event.claim_id, event.submitted_on
    else:
        return None
    return AuditCandidate(kind, item_id, event.partner_id, period_of(on))
