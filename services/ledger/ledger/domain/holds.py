"""deal.flagged holds a deal's rewards (not payable) until every flag on it is cleared.

A hold moves only what is still payable: rewards already in a payout batch or paid cannot be held
(a later clawback of them leaves the partner owing instead). The release returns what was held.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from incentive_contracts.events.deal import DealFlagCleared, DealFlagged

from . import accounts
from .evolve import evolve
from .explanation import HoldExplanation
from .held_accrual import release_held_accrual
from .journal import JournalEntry, transfer
from .money import fmt, zero
from .outcome import EventMeta, Outcome, business_time, entry_id
from .state import DealRecord, PartnerLedger

HOLD_RULE = "ledger/holds"
HOLD_RULE_VERSION = 1


def outstanding(deal: DealRecord) -> Decimal:
    """Rewards of the deal that sit in the partner's reward account now (net of clawbacks)."""
    return sum((r.outstanding for r in deal.rewards if r.is_reward), Decimal(0))


def on_flagged(partner: PartnerLedger, deal: DealRecord, event: DealFlagged, meta: EventMeta) -> Outcome:
    outcome = Outcome(partner=partner)
    flagged = evolve(deal, flags=deal.flags | {event.reason.value})
    if deal.held or deal.won is None:
        outcome.deals[deal.deal_id] = flagged  # a deal flagged before its win posts its rewards held
        return outcome
    exposure = outstanding(deal)
    # + zero(...): the same scale whether the payable came from the database or from memory
    amount = max(min(exposure, partner.payable_in(deal.won.currency)), Decimal(0)) + zero(deal.won.currency)
    why = f"deal {deal.deal_id} flagged on {event.flagged_on} ({event.reason.value}: {event.detail})"
    steps = [why]
    if amount != exposure:
        steps.append(
            f"the deal's rewards are {fmt(exposure)} {deal.won.currency} but only {fmt(amount)} is still payable "
            "(the rest is in a payout batch or paid): only that is held"
        )
    entry = _move(
        partner,
        deal,
        meta,
        "hold",
        accounts.REBATES_PAYABLE,
        accounts.REBATES_HELD,
        amount,
        business_time(event.flagged_on),
        f"Hold of {fmt(amount)} {deal.won.currency}: {why}",
        steps,
        None,
    )
    outcome.entries.append(entry)
    outcome.deals[deal.deal_id] = evolve(flagged, held=True, hold_entry=entry.entry_id, held_amount=amount)
    return outcome


def on_flag_cleared(
    partner: PartnerLedger,
    deal: DealRecord,
    event: DealFlagCleared,
    meta: EventMeta,
    accrual_rate: Decimal | None = None,
) -> Outcome:
    """The last flag cleared releases the held rewards, and the held MDF accrual (announced then)."""
    outcome = Outcome(partner=partner)
    remaining = deal.flags - {event.reason.value}
    cleared = evolve(deal, flags=remaining)
    if remaining or not deal.held or deal.won is None:
        outcome.deals[deal.deal_id] = cleared
        return outcome
    amount = deal.held_amount
    why = f"flag {event.reason.value} on deal {deal.deal_id} cleared on {event.cleared_on} by {event.cleared_by}"
    entry = _move(
        partner,
        deal,
        meta,
        "release",
        accounts.REBATES_HELD,
        accounts.REBATES_PAYABLE,
        amount,
        business_time(event.cleared_on),
        f"Release of {fmt(amount)} {deal.won.currency}: {why}",
        [why, "no flag remains on the deal: its rewards are payable again"],
        deal.hold_entry,
    )
    outcome.entries.append(entry)
    released = evolve(cleared, held=False, hold_entry=None, held_amount=Decimal(0))
    accrual = release_held_accrual(partner, deal, meta, event.cleared_on, why, accrual_rate)
    if accrual is not None:
        accrual_entry, announcement, records = accrual
        outcome.entries.append(accrual_entry)
        outcome.announcements.append(announcement)
        released = evolve(released, rewards=records)
    outcome.deals[deal.deal_id] = released
    return outcome


def _move(
    partner: PartnerLedger,
    deal: DealRecord,
    meta: EventMeta,
    kind: str,
    source: str,
    target: str,
    amount: Decimal,
    at: datetime,
    summary: str,
    steps: list[str],
    reverses: str | None,
) -> JournalEntry:
    assert deal.won is not None
    currency = deal.won.currency
    return JournalEntry(
        entry_id=entry_id(meta.event_id, kind),
        partner_id=partner.partner_id,
        kind=kind,
        caused_by=meta.event_id,
        effective_at=at,
        rule_id=HOLD_RULE,
        rule_version=HOLD_RULE_VERSION,
        postings=transfer(
            accounts.partner_account(partner.partner_id, source),
            accounts.partner_account(partner.partner_id, target),
            currency,
            amount,
        ),
        explanation=HoldExplanation(
            event_type=f"deal.{'flagged' if kind == 'hold' else 'flag_cleared'}",
            deal_id=deal.deal_id,
            currency=currency,
            amount=fmt(amount),
            summary=summary,
            steps=tuple(steps),
            flags=tuple(sorted(deal.flags)),
        ),
        reverses=reverses,
        deal_id=deal.deal_id,
    )
