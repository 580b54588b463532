"""Spot-audit use cases: draw a period's sample from the population the consumer collected (at the
program's rate), confirm or fail a sampled item, and read a period's audit queue."""

from __future__ import annotations

from datetime import date

from ..domain import audit as model
from ..domain.audit import AuditPeriod
from .aggregates import load, record, require
from .kinds import AUDITS
from .ports import GovernanceUnit
from .program_terms import audit_rate


async def draw_sample(unit: GovernanceUnit, period: str, seed: str, on: date) -> AuditPeriod:
    """Draw at the rate the program sets: the version in force on the period's first day (nobody picks it)."""
    command = model.DrawSample(period, await audit_rate(unit, period), seed, on)
    loaded = await load(unit, AUDITS, command.period, for_update=True)
    candidates = await unit.population.of_period(command.period)
    events = model.decide_draw(loaded.state or AuditPeriod(command.period), command, candidates)
    if not events:  # an empty sample is still drawn: the period keeps no stream, and may be drawn again
        return loaded.state or AuditPeriod(command.period, seed=command.seed, rate=str(command.rate))
    return await record(unit, AUDITS, loaded, events)


async def decide_item(unit: GovernanceUnit, command: model.DecideItem) -> AuditPeriod:
    loaded = await require(unit, AUDITS, command.period, for_update=True)
    assert loaded.state is not None
    return await record(unit, AUDITS, loaded, model.decide_item(loaded.state, command))


async def audit_of(unit: GovernanceUnit, period: str) -> AuditPeriod:
    return (await require(unit, AUDITS, period)).state or AuditPeriod(period)
