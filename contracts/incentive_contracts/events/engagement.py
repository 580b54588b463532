"""engagement.* events: commitment activities (registration service)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field

from ..payload import EventPayload
from ..registry import register


class EngagementKind(StrEnum):
    QUARTERLY_BUSINESS_REVIEW = "quarterly_business_review"
    JOINT_BUSINESS_PLAN = "joint_business_plan"
    ENABLEMENT_SESSION = "enablement_session"
    CERTIFICATION = "certification"
    JOINT_MARKETING_ACTIVITY = "joint_marketing_activity"


@register
class EngagementRecorded(EventPayload):
    event_type = "engagement.recorded"
    version = 1

    engagement_id: str
    kind: EngagementKind
    occurred_on: date
    evidence_ref: str = Field(min_length=1, max_length=500)
