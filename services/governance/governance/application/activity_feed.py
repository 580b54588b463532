"""What the consumer applies from registration, mdf and ledger events: activity facts (then the
partners' benefits are evaluated as of today), rituals that complete plan activities, the spot-audit
population, and an onboarding plan for each newly enrolled partner."""

from __future__ import annotations

from collections.abc import Sequence

from incentive_contracts.events.partner import PartnerEnrolled
from incentive_contracts.payload import EventPayload

from ..domain.activity import audit_candidate_of, facts_of, ritual_of
from ..domain.benefit_rules import RuleBook
from .benefits import evaluate_partner
from .plans import complete_from_event, draft_at_onboarding
from .ports import GovernanceUnit


async def apply_activity(unit: GovernanceUnit, events: Sequence[EventPayload], book: RuleBook) -> None:
    touched: set[str] = set()
    for event in events:
        if isinstance(event, PartnerEnrolled):
            await draft_at_onboarding(unit, event.partner_id, event.enrolled_on)
        facts = facts_of(event)
        if facts and await unit.facts.add(facts):
            touched.add(event.partner_id)
        candidate = audit_candidate_of(event)
        if candidate is not None:
            await unit.population.add([candidate])
        seen = ritual_of(event)
        if seen is not None:
            await complete_from_event(unit, seen, book)  # evaluates the partner's benefits itself
    today = unit.clock.now().date()
    for partner_id in sorted(touched):
        await evaluate_partner(unit, book, partner_id, today)
