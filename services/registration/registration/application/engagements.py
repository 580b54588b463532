"""Engagement use cases: record a commitment activity, read them back."""

from __future__ import annotations

from incentive_contracts.events.engagement import EngagementRecorded

from ..domain import engagement as model
from ..domain.errors import NotFound
from .ports import EngagementQuery, Page, RegistrationUnit


async def record_engagement(unit: RegistrationUnit, command: model.RecordEngagement, *, actor: str) -> model.Engagement:
    partner = await unit.partners.get(command.partner_id)
    existing = await unit.engagements.get(command.engagement_id)
    duplicate = await unit.engagements.find_same(
        command.partner_id, command.kind, command.occurred_on, command.evidence_ref.strip()
    )
    events = model.decide_record(partner, existing, duplicate, command)
    recorded = [e for e in events if isinstance(e, EngagementRecorded)]
    engagement = model.evolve(recorded[0])
    await unit.engagements.add(engagement, recorded_by=actor)
    await unit.emit(events, actor=actor)
    return engagement


async def get_engagement(unit: RegistrationUnit, engagement_id: str) -> model.Engagement:
    engagement = await unit.engagements.get(engagement_id)
    if engagement is None:
        raise NotFound(f"engagement {engagement_id} not found")
    return engagement


async def list_engagements(unit: RegistrationUnit, query: EngagementQuery) -> Page[model.Engagement]:
    return await unit.engagements.list(query)
