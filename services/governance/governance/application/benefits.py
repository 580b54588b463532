"""Commitment benefit use cases: evaluate one partner or every partner as of a day, and read a
partner's standing with the history that explains it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from incentive_contracts.payload import EventPayload

from ..domain.benefit_rules import RuleBook
from ..domain.benefits import BenefitStanding, Window, decide_evaluate
from .aggregates import append, load
from .kinds import BENEFITS
from .ports import GovernanceUnit
from .program_terms import rule_book


@dataclass(frozen=True)
class BenefitsView:
    standing: BenefitStanding
    history: list[EventPayload]  # every grant and revocation, oldest first


async def evaluate_partner(
    unit: GovernanceUnit, partner_id: str, as_of: date, book: RuleBook | None = None
) -> list[EventPayload]:
    """Grant or revoke the partner's benefits from its activity in the window ending ``as_of``, under the
    program version in force that day (never before its last change: an event arriving late is
    evaluated as of that change). ``book``: the program's terms when the caller has them loaded."""
    book = book or await rule_book(unit)
    loaded = await load(unit, BENEFITS, partner_id, for_update=True)
    standing = loaded.state or BenefitStanding(partner_id)
    if standing.last_change is not None and as_of < standing.last_change:
        as_of = standing.last_change
    rules = book.in_force(as_of)
    window = Window.ending(as_of, rules.window_days)
    raw = await unit.facts.totals(partner_id, window.start, window.end)
    events = decide_evaluate(standing, rules, raw, as_of)
    await append(unit, BENEFITS, loaded, events)
    return events


async def evaluate_all(unit: GovernanceUnit, as_of: date) -> list[EventPayload]:
    """Every partner with activity or benefits, in partner order (the daily run that revokes lapsed ones)."""
    book = await rule_book(unit)
    partners = sorted(set(await unit.facts.partners()) | set(await unit.streams.partners(BENEFITS.name)))
    events: list[EventPayload] = []
    for partner_id in partners:
        events += await evaluate_partner(unit, partner_id, as_of, book)
    return events


async def benefits_of(unit: GovernanceUnit, partner_id: str) -> BenefitsView:
    events = await unit.streams.load(BENEFITS.stream_id(partner_id))
    return BenefitsView(BENEFITS.fold(events) or BenefitStanding(partner_id), events)
