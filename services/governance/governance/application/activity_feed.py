"""What the consumer applies from registration, mdf and ledger events: activity facts (then the
partners' benefits are evaluated), rituals that complete plan activities, the spot-audit population,
an onboarding plan for each newly enrolled partner, and the program versions the ledger announces
(whose terms, commitment rules and spot-audit rate, governance applies).

Like the ledger's projector, the consumer never reads the wall clock: an event is applied as of the day
it was recorded (its envelope time), so a replay gives the same grants and revocations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from incentive_contracts.events.partner import PartnerEnrolled
from incentive_contracts.events.program import ProgramVersionPublished
from incentive_contracts.payload import EventPayload

from ..domain.activity import audit_candidate_of, facts_of, ritual_of
from ..domain.benefit_rules import RuleBook
from .benefits import evaluate_partner
from .plans import complete_from_event, draft_at_onboarding
from .ports import GovernanceUnit
from .program_terms import record_version


@dataclass(frozen=True)
class Observed:
    event: EventPayload
    recorded_on: date  # the envelope's day: what the partner's standing is evaluated as of


async def apply_event(unit: GovernanceUnit, observed: Observed, book: RuleBook) -> bool:
    """Apply one event; whether it added activity facts (its partner's benefits then need evaluating).
    A program version announced by the ledger is kept: its terms apply from its effective date."""
    event, on = observed.event, observed.recorded_on
    if isinstance(event, ProgramVersionPublished):
        await record_version(unit, event)
        return False
    if isinstance(event, PartnerEnrolled):
        await draft_at_onboarding(unit, event.partner_id, event.enrolled_on)
    facts = facts_of(event)
    added = bool(facts) and await unit.facts.add(facts) > 0
    candidate = audit_candidate_of(event)
    if candidate is not None:
        await unit.population.add([candidate])
    seen = ritual_of(event)
    if seen is not None:
        await complete_from_event(unit, seen, as_of=on, book=book)  # evaluates the partner's benefits itself
    return added


async def evaluate_touched(unit: GovernanceUnit, book: RuleBook, touched: dict[str, date]) -> None:
    """Evaluate each partner whose activity changed, as of the latest day it was recorded."""
    for partner_id, as_of in sorted(touched.items()):
        await evaluate_partner(unit, partner_id, as_of, book)
