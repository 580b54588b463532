"""Facts from the ledger topic: MDF accruals credit funds; tier changes drive eligibility."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from incentive_contracts.events.ledger import LedgerMdfAccrued
from incentive_contracts.events.partner import PartnerTierChanged
from incentive_contracts.payload import EventPayload

from ..domain.fund import accrual_violations, accrue
from .effects import apply_events
from .ports import MdfUnit

LEDGER_ACTOR = "ledger"


@dataclass(frozen=True)
class LedgerFact:
    event_id: str
    payload: EventPayload
    occurred_on: date


@dataclass(frozen=True)
class Refused:
    event_id: str
    reason: str


async def apply_ledger_facts(unit: MdfUnit, facts: Sequence[LedgerFact]) -> list[Refused]:
    """Apply a batch in one unit; other ledger events are not the mdf service's concern."""
    refused: list[Refused] = []
    accruals: list[tuple[str, LedgerMdfAccrued, date]] = []
    for fact in facts:
        payload = fact.payload
        if isinstance(payload, PartnerTierChanged):
            await unit.tiers.record(
                payload.partner_id, payload.tier, payload.program_id, payload.effective_at, payload.rule_version
            )
        elif isinstance(payload, LedgerMdfAccrued):
            problems = accrual_violations(payload.amount.amount)
            if problems:
                refused.append(Refused(fact.event_id, "; ".join(problems)))
            else:
                accruals.append((fact.event_id, payload, fact.occurred_on))
    if accruals:
        await _credit(unit, accruals)
    return refused


async def _credit(unit: MdfUnit, accruals: list[tuple[str, LedgerMdfAccrued, date]]) -> None:
    periods = {p: await unit.periods.lock(p) for p in sorted({a.period for _, a, _ in accruals})}
    funds = await unit.funds.lock_many(sorted({(a.partner_id, a.period, a.amount.currency) for _, a, _ in accruals}))
    touched: set[tuple[str, str, str]] = set()
    for event_id, accrued, on in accruals:
        if not await unit.history.accrual(event_id, accrued, on=on):
            continue  # this ledger entry was credited before, under another event id
        key = (accrued.partner_id, accrued.period, accrued.amount.currency)
        funds[key] = accrue(funds[key], accrued.amount.amount)
        touched.add(key)
    for key in sorted(touched):
        # Money accrued into a closed period expires at once (apply_events does that).
        await apply_events(unit, [], actor=LEDGER_ACTOR, fund=funds[key], period_closed=periods[key[1]].closed)
