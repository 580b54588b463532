"""The program's terms governance applies, per version: the commitment rules and the spot-audit rate.

Governance follows the program ``default`` (the one partners enrol into unless told otherwise): its
built-in version 0 comes from the document the contracts ship, every later version from the ledger's
``program.version_published`` (kept by the consumer). Benefits use the version in force on the day
evaluated; an audit draws at the rate of the version in force on its period's first day.
"""

from __future__ import annotations

from decimal import Decimal

from incentive_contracts.builtin_program import BUILTIN_VERSION, DEFAULT_PROGRAM_ID, builtin_announcement
from incentive_contracts.events.program import ProgramVersionPublished

from ..domain.audit import period_start
from ..domain.benefit_rules import RuleBook, terms_of
from .ports import GovernanceUnit

FOLLOWED_PROGRAM = DEFAULT_PROGRAM_ID


async def record_version(unit: GovernanceUnit, published: ProgramVersionPublished) -> bool:
    """Keep an announced version; whether it is one of the followed program's (its terms may change)."""
    await unit.programs.add(published)
    return published.program_id == FOLLOWED_PROGRAM


async def rule_book(unit: GovernanceUnit) -> RuleBook:
    """Every known version of the followed program's terms, the built-in version 0 first."""
    announced = [p for p in await unit.programs.of_program(FOLLOWED_PROGRAM) if p.program_version != BUILTIN_VERSION]
    return RuleBook((terms_of(builtin_announcement()), *(terms_of(p) for p in announced)))


async def audit_rate(unit: GovernanceUnit, period: str) -> Decimal:
    """The share sampled for ``period``: the rate of the version in force on the period's first day."""
    return (await rule_book(unit)).in_force(period_start(period)).audit_rate
