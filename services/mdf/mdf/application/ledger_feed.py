"""Facts from the ledger topic: MDF accruals credit funds, reversed accruals are clawed back from
them (at most what is available), tier changes drive eligibility.

Facts apply in their topic order: a reversal sees the fund as the accruals before it left it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from incentive_contracts.events.ledger import LedgerMdfAccrualReversed, LedgerMdfAccrued
from incentive_contracts.events.partner import PartnerTierChanged
from incentive_contracts.payload import EventPayload

from ..domain.clawback import decide_clawback
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
        elif isinstance(payload, LedgerMdfAccrualReversed):
            problems = accrual_violations(payload.amount.amount)
            if problems:
                refused.append(
                    Refused(fact.event_id, "; ".join(p.replace("accrual", "accrual reversal") for p in problems))
                )
                continue
            if accruals:  # the accruals before it in the topic first
                await _credit(unit, accruals)
                accruals = []
            await _claw_back(unit, fact.event_id, payload, fact.occurred_on)
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


async def _claw_back(unit: MdfUnit, event_id: str, reversed_: LedgerMdfAccrualReversed, on: date) -> None:
    """Take min(asked, available) from the fund and say so (mdf.accrual_clawed_back), once per
    ledger reversal entry."""
    period = await unit.periods.lock(reversed_.period)
    fund = await unit.funds.lock(reversed_.partner_id, reversed_.period, reversed_.amount.currency)
    if await unit.history.clawback_answered(reversed_.entry_id):
        return  # answered before, under another event id
    clawed = decide_clawback(fund, reversed_, on=on)
    await unit.history.clawback(event_id, clawed)
    await apply_events(unit, [clawed], actor=LEDGER_ACTOR, fund=fund, period_closed=period.closed)
