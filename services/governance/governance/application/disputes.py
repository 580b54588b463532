"""Dispute use cases: open, review, escalate (on request, or every overdue one), resolve or reject,
and the time disputes take to resolve."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from statistics import median

from incentive_contracts.payload import EventPayload

from ..domain import dispute as model
from ..domain.dispute import Dispute, DisputePolicy
from .aggregates import load, record, require
from .kinds import DISPUTES
from .ports import GovernanceUnit, Page, StreamFilter

WAITING = (model.OPEN, model.IN_REVIEW)


@dataclass(frozen=True)
class ResolutionTimes:
    resolved: int
    open: int
    mean_days: float | None
    median_days: float | None
    max_days: int | None


async def open_dispute(unit: GovernanceUnit, command: model.OpenDispute) -> Dispute:
    loaded = await load(unit, DISPUTES, command.dispute_id, for_update=True)
    return await record(unit, DISPUTES, loaded, model.decide_open(loaded.state, command))


async def review_dispute(unit: GovernanceUnit, dispute_id: str, reviewer: str, on: date) -> Dispute:
    loaded = await require(unit, DISPUTES, dispute_id, for_update=True)
    assert loaded.state is not None
    return await record(unit, DISPUTES, loaded, model.decide_review(loaded.state, reviewer, on))


async def escalate_dispute(
    unit: GovernanceUnit, dispute_id: str, by: str, on: date, policy: DisputePolicy, *, partner_id: str | None
) -> Dispute:
    loaded = await require(unit, DISPUTES, dispute_id, for_update=True, partner_id=partner_id)
    assert loaded.state is not None
    return await record(unit, DISPUTES, loaded, model.decide_escalate(loaded.state, by, on, policy))


async def resolve_dispute(unit: GovernanceUnit, command: model.Resolve) -> Dispute:
    loaded = await require(unit, DISPUTES, command.dispute_id, for_update=True)
    assert loaded.state is not None
    return await record(unit, DISPUTES, loaded, model.decide_resolve(loaded.state, command))


async def escalate_overdue(unit: GovernanceUnit, today: date, policy: DisputePolicy) -> list[EventPayload]:
    """Escalate every open dispute left unanswered for ``policy.answer_days`` (run daily)."""
    escalated: list[EventPayload] = []
    for events in await unit.streams.every(DISPUTES.name, StreamFilter(statuses=WAITING)):
        dispute = DISPUTES.fold(events)
        assert dispute is not None
        loaded = await load(unit, DISPUTES, dispute.dispute_id, for_update=True)
        assert loaded.state is not None
        found = model.decide_escalate_overdue(loaded.state, today, policy)
        await record(unit, DISPUTES, loaded, found)
        escalated += found
    return escalated


async def list_disputes(unit: GovernanceUnit, where: StreamFilter, *, after: int | None, limit: int) -> Page[Dispute]:
    page = await unit.streams.page(DISPUTES.name, where, after=after, limit=limit)
    return Page([d for d in (DISPUTES.fold(e) for e in page.items) if d is not None], page.next_cursor)


async def get_dispute(unit: GovernanceUnit, dispute_id: str, *, partner_id: str | None) -> Dispute:
    loaded = await require(unit, DISPUTES, dispute_id, partner_id=partner_id)
    assert loaded.state is not None
    return loaded.state


async def resolution_times(unit: GovernanceUnit, partner_id: str | None) -> ResolutionTimes:
    """Days from opening to resolution over every decided dispute (of one partner, or all)."""
    disputes = [DISPUTES.fold(e) for e in await unit.streams.every(DISPUTES.name, StreamFilter(partner_id=partner_id))]
    days = [d.days_to_resolution for d in disputes if d is not None and d.days_to_resolution is not None]
    waiting = len(disputes) - len(days)
    if not days:
        return ResolutionTimes(0, waiting, None, None, None)
    return ResolutionTimes(len(days), waiting, round(sum(days) / len(days), 2), float(median(days)), max(days))
