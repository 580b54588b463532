"""Engagement bodies."""

from __future__ import annotations

from datetime import date

from incentive_contracts.dates import BusinessDate
from incentive_contracts.events.engagement import EngagementKind
from pydantic import BaseModel, Field

from ...domain.engagement import Engagement
from .common import ID_PATTERN, Body, new_id


class RecordEngagementBody(Body):
    engagement_id: str = Field(default_factory=lambda: new_id("eng"), min_length=1, max_length=64, pattern=ID_PATTERN)
    partner_id: str = Field(min_length=1, max_length=64)
    kind: EngagementKind
    occurred_on: BusinessDate
    evidence_ref: str = Field(min_length=1, max_length=500)


class EngagementOut(BaseModel):
    engagement_id: str
    partner_id: str
    kind: EngagementKind
    occurred_on: date
    evidence_ref: str

    @classmethod
    def of(cls, engagement: Engagement) -> EngagementOut:
        return cls(**engagement.__dict__)
