"""The facts indicators are computed from, as the projection keeps them (one row per deal, request...).

Deal stages: a registration starts ``registered``, moves through the open pipeline stages and ends
``won``, ``lost``, ``expired`` (no progress for too long) or ``rejected`` (refused, or a confirmed
anomaly flag). Closed-lost in the win rate counts ``lost`` and ``expired``; ``rejected`` deals were
never accepted opportunities and count in neither side of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

OPEN_STAGES = ("registered", "approved", "qualified", "proposal", "negotiation")
FUNNEL = (*OPEN_STAGES, "won")
CLOSED_LOST = ("lost", "expired")
CLOSED_STAGES = ("won", *CLOSED_LOST, "rejected")


@dataclass(frozen=True)
class DealFact:
    deal_id: str
    partner_id: str
    currency: str
    expected_amount: Decimal
    expected_close: date
    registered_on: date
    stage: str
    won_amount: Decimal | None = None
    closed_on: date | None = None
    reached: Mapping[str, date] = field(default_factory=dict)  # stage -> the day the deal reached it

    def stage_on(self, day: date) -> str | None:
        """The deal's stage at the end of ``day`` (None before it was registered)."""
        if self.registered_on > day:
            return None
        if self.closed_on is not None and self.stage in CLOSED_STAGES and self.closed_on <= day:
            return self.stage
        reached = [s for s in OPEN_STAGES if s in self.reached and self.reached[s] <= day]
        return reached[-1] if reached else "registered"

    @property
    def days_to_close(self) -> int | None:
        return (self.closed_on - self.registered_on).days if self.closed_on is not None else None


@dataclass(frozen=True)
class MdfRequestFact:
    request_id: str
    partner_id: str
    activity_type: str
    currency: str
    requested_amount: Decimal
    approved_amount: Decimal | None
    status: str  # submitted | approved | rejected | cancelled
    submitted_on: date


@dataclass(frozen=True)
class MdfSpendFact:
    disbursement_id: str
    partner_id: str
    request_id: str
    currency: str
    amount: Decimal
    disbursed_on: date


@dataclass(frozen=True)
class MdfResultFact:
    """The latest results reported for one MDF-funded activity (reports are cumulative)."""

    request_id: str
    partner_id: str
    activity_type: str
    currency: str
    spend: Decimal
    registrations: int
    attendees: int
    leads: int
    opportunities_influenced: int
    reported_on: date


@dataclass(frozen=True)
class EngagementFact:
    engagement_id: str
    partner_id: str
    kind: str
    occurred_on: date


@dataclass(frozen=True)
class PartnerProfile:
    """What cohorts group partners by; ``reward_programs`` are the programs its rewards were posted under."""

    partner_id: str
    name: str
    program_id: str
    region: str
    vertical: str | None
    tier: str | None
    enrolled_on: date
    reward_programs: frozenset[str] = frozenset()
