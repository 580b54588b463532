"""deal.reversed (inside the window), and a confirmed flag (any age, flag_review.py) -> compensating
entries for every reward the deal produced.

Pro rata uses the cumulative reversed share: each clawback takes ``round(original x share)`` minus
what earlier clawbacks of the same entry already took, so reversing a deal in several parts ends
exactly at zero, whatever the rounding on the way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from incentive_contracts.events.deal import DealReversed
from incentive_contracts.events.ledger import LedgerMdfAccrualReversed
from incentive_contracts.money import Money

from . import accounts
from .catalog import ProgramVersion
from .deal_rewards import set_quarter
from .errors import InvalidEvent
from .evolve import evolve
from .explanation import ClawbackExplanation, ReversalFacts
from .held_accrual import is_held_accrual
from .journal import JournalEntry, Posting
from .money import fmt, quarter_of, round_money, zero
from .outcome import Announcement, EventMeta, Outcome, announcement_id, business_time, entry_id
from .state import DealRecord, PartnerLedger, QuarterTotals, RewardRecord
from .tiers import add_revenue


@dataclass(frozen=True)
class Reversal:
    """What a clawback reverses: a deal.reversed, or a confirmed flag (the whole deal, any age)."""

    event_type: str
    on: date
    amount: Money
    full: bool
    reason: str
    windowed: bool = True  # False: a confirmed flag reverses whatever the clawback window


def on_reversed(
    partner: PartnerLedger, deal: DealRecord, event: DealReversed, meta: EventMeta, pv: ProgramVersion
) -> Outcome:
    reversal = Reversal(event.event_type, event.reversed_on, event.amount, event.full, event.reason)
    return reverse(partner, deal, reversal, meta, pv)


def reverse(partner: PartnerLedger, deal: DealRecord, event: Reversal, meta: EventMeta, pv: ProgramVersion) -> Outcome:
    """Compensating entries for the deal's rewards; an available MDF accrual is only announced
    (ledger.mdf_accrual_reversed): the mdf service decides what it can take back and the ledger
    posts that when mdf.accrual_clawed_back arrives. A held accrual goes back to the expense here."""
    outcome = Outcome(partner=partner)
    won = deal.won
    if won is None:
        return outcome  # never won here: nothing was rewarded, nothing to reverse
    currency = event.amount.currency
    if currency != won.currency:
        raise InvalidEvent(f"deal {deal.deal_id} was won in {won.currency}; a reversal in {currency} cannot apply")
    remaining = won.amount - deal.reversed_amount
    reversed_now = min(event.amount.amount, remaining)
    total_reversed = deal.reversed_amount + reversed_now
    quarter = quarter_of(won.closed_on)
    partner = add_revenue(partner, won.closed_on, currency, -reversed_now)
    base = ReversalFacts(
        event_type=event.event_type,
        deal_id=deal.deal_id,
        program=pv.program_id,
        program_version=pv.version,
        currency=currency,
        won_amount=fmt(won.amount),
        closed_on=won.closed_on.isoformat(),
        reversed_on=event.on.isoformat(),
        reversed_amount=fmt(event.amount.amount),
        reason=event.reason,
    )
    age = (event.on - won.closed_on).days
    if event.windowed and age > pv.program.clawback.window_days:
        outcome.entries.append(_outside_window(partner, deal, event, meta, pv, base, age))
        _done(outcome, partner, deal, total_reversed, deal.rewards, quarter, currency, reversed_now, Decimal(0))
        return outcome
    share, how = _share(deal, event, pv, total_reversed)
    clawing = _Clawing(partner, deal, event, meta, pv, base, share, how)
    records, clawed_rewards, held_left = _claw_back(outcome, clawing)
    _done(outcome, partner, deal, total_reversed, records, quarter, currency, reversed_now, clawed_rewards)
    if deal.held:
        outcome.deals[deal.deal_id] = evolve(outcome.deals[deal.deal_id], held_amount=held_left)
    return outcome


@dataclass(frozen=True)
class _Clawing:
    """A reversal being applied to a deal's rewards: whose, which, under which program version, and
    the share of every reward clawed back so far (``how``: why that share)."""

    partner: PartnerLedger
    deal: DealRecord
    event: Reversal
    meta: EventMeta
    pv: ProgramVersion
    base: ReversalFacts
    share: Decimal
    how: str


def _share(deal: DealRecord, event: Reversal, pv: ProgramVersion, total_reversed: Decimal) -> tuple[Decimal, str]:
    """The share of every reward clawed back so far, and why."""
    assert deal.won is not None
    if event.full or pv.program.clawback.partial == "full":
        how = "the whole deal was reversed" if event.full else f"{pv.label} claws back in full on any reversal"
        return Decimal(1), how
    won = deal.won
    how = f"pro rata: {fmt(total_reversed)} of {fmt(won.amount)} {won.currency} reversed so far"
    return min(Decimal(1), total_reversed / won.amount), how


def _claw_back(outcome: Outcome, c: _Clawing) -> tuple[tuple[RewardRecord, ...], Decimal, Decimal]:
    """A clawback entry (or, for an available MDF accrual, an announcement) for what each reward still
    owes at the share; the records as clawed, the rewards clawed, and what stays held."""
    partner, deal, event, meta, share = c.partner, c.deal, c.event, c.meta, c.share
    currency = event.amount.currency
    records: list[RewardRecord] = []
    clawed_rewards = zero(currency)
    held_left = deal.held_amount if deal.held else Decimal(0)
    for index, record in enumerate(deal.rewards):
        target_paid = round_money(record.paid * share, currency)
        target_capped = round_money(record.capped * share, currency)
        take_paid, take_capped = target_paid - record.clawed_paid, target_capped - record.clawed_capped
        if take_paid or take_capped:
            from_held = min(take_paid, held_left) if record.is_reward and deal.held else Decimal(0)
            held_left -= from_held
            clawback_id = entry_id(meta.event_id, "clawback", index)
            if record.is_reward or is_held_accrual(partner.partner_id, record):
                taken = (take_paid, take_capped, from_held)
                outcome.entries.append(_clawback_entry(c, record, index, taken))
                clawed_rewards += take_paid if record.is_reward else Decimal(0)
            else:
                outcome.announcements.append(_accrual_reversed(c, record, clawback_id, take_paid))
        records.append(evolve(record, clawed_paid=target_paid, clawed_capped=target_capped))
    return tuple(records), clawed_rewards, held_left


def _done(
    outcome: Outcome,
    partner: PartnerLedger,
    deal: DealRecord,
    total_reversed: Decimal,
    records: tuple[RewardRecord, ...],
    quarter: str,
    currency: str,
    reversed_now: Decimal,
    clawed: Decimal,
) -> None:
    totals = partner.quarter(quarter, currency)
    outcome.partner = set_quarter(
        partner, quarter, currency, QuarterTotals(won=totals.won - reversed_now, rewarded=totals.rewarded - clawed)
    )
    outcome.deals[deal.deal_id] = evolve(deal, reversed_amount=total_reversed, rewards=records)


def _clawback_entry(
    c: _Clawing,
    record: RewardRecord,
    index: int,
    taken: tuple[Decimal, Decimal, Decimal],  # (paid, capped, of the paid part: taken from held)
) -> JournalEntry:
    partner, deal, event, meta, pv = c.partner, c.deal, c.event, c.meta, c.pv
    paid, capped, _ = taken
    currency = event.amount.currency
    assert deal.won is not None
    return JournalEntry(
        entry_id=entry_id(meta.event_id, "clawback", index),
        partner_id=partner.partner_id,
        kind="clawback",
        caused_by=meta.event_id,
        effective_at=business_time(event.on),
        rule_id=f"{pv.program_id}/clawback",
        rule_version=pv.version,
        postings=_clawback_postings(partner, deal, record, currency, taken),
        explanation=ClawbackExplanation(
            reversal=c.base,
            summary=(
                f"Clawback of {fmt(paid)} {currency} of the {record.component} on deal {deal.deal_id}: {event.reason}"
            ),
            component=record.component,
            share=fmt(c.share),
            amount=fmt(paid),
            capped=fmt(capped),
            steps=_clawback_steps(deal, event, pv, record, (paid, capped), c.how),
            period=None if record.is_reward else quarter_of(deal.won.closed_on),
        ),
        reverses=record.entry_id,
        deal_id=deal.deal_id,
    )


def _clawback_postings(
    partner: PartnerLedger,
    deal: DealRecord,
    record: RewardRecord,
    currency: str,
    taken: tuple[Decimal, Decimal, Decimal],
) -> tuple[Posting, ...]:
    paid, capped, from_held = taken
    assert deal.won is not None
    program_id = deal.won.program_id
    # Money comes back from where the reward sits now: held (up to what the hold moved), else payable;
    # a payable taken below zero is what the partner owes when the reward was paid out already.
    if not record.is_reward:
        sources = [Posting(record.credit_account, currency, paid)]
    elif not deal.held or from_held == paid:
        sources = [Posting(accounts.partner_account(partner.partner_id, deal.reward_account), currency, paid)]
    else:
        sources = [
            Posting(accounts.partner_account(partner.partner_id, accounts.REBATES_HELD), currency, from_held),
            Posting(accounts.partner_account(partner.partner_id, accounts.REBATES_PAYABLE), currency, paid - from_held),
        ]
    postings = [*sources, Posting(record.debit_account, currency, -paid)]
    if capped:
        postings += [
            Posting(accounts.partner_account(partner.partner_id, accounts.REBATES_CAPPED), currency, capped),
            Posting(accounts.program_account(program_id, accounts.REWARDS_CAPPED), currency, -capped),
        ]
    return tuple(postings)


def _clawback_steps(
    deal: DealRecord,
    event: Reversal,
    pv: ProgramVersion,
    record: RewardRecord,
    taken: tuple[Decimal, Decimal],
    how: str,
) -> tuple[str, ...]:
    paid, capped = taken
    currency = event.amount.currency
    assert deal.won is not None
    age = (event.on - deal.won.closed_on).days
    when = (
        f"reversed on {event.on}, {age} days after the close: "
        f"inside the {pv.program.clawback.window_days}-day clawback window of {pv.label}"
        if event.windowed
        else f"{event.reason}: the deal is rejected and its rewards are reversed in full, {age} days after the close"
    )
    return (
        when,
        how,
        f"original {record.component} entry {record.entry_id}: {fmt(record.paid)} {currency} paid"
        + (f", {fmt(record.capped)} capped" if record.capped else ""),
        f"clawed back now {fmt(paid)} {currency}"
        + (f" (and {fmt(capped)} capped)" if capped else "")
        + f", {fmt(record.clawed_paid + paid)} in total",
    )


def _outside_window(
    partner: PartnerLedger,
    deal: DealRecord,
    event: Reversal,
    meta: EventMeta,
    pv: ProgramVersion,
    base: ReversalFacts,
    age: int,
) -> JournalEntry:
    currency = event.amount.currency
    nothing = zero(currency)
    why = (
        f"reversed {age} days after the close, outside the {pv.program.clawback.window_days}-day clawback window of "
        f"{pv.label}: the rewards stand"
    )
    payable = accounts.partner_account(partner.partner_id, deal.reward_account)
    expense = accounts.program_account(pv.program_id, accounts.REBATE_EXPENSE)
    return JournalEntry(
        entry_id=entry_id(meta.event_id, "clawback"),
        partner_id=partner.partner_id,
        kind="clawback",
        caused_by=meta.event_id,
        effective_at=business_time(event.on),
        rule_id=f"{pv.program_id}/clawback",
        rule_version=pv.version,
        postings=(Posting(payable, currency, nothing), Posting(expense, currency, nothing)),
        explanation=ClawbackExplanation(
            reversal=base, summary=f"No clawback on deal {deal.deal_id}: {why}", amount=fmt(nothing), steps=(why,)
        ),
        deal_id=deal.deal_id,
    )


def _accrual_reversed(c: _Clawing, record: RewardRecord, reversal_id: str, amount: Decimal) -> Announcement:
    """The mdf service is asked to take ``amount`` back from the fund; nothing is posted yet."""
    partner, deal, event, meta, pv = c.partner, c.deal, c.event, c.meta, c.pv
    assert deal.won is not None
    return Announcement(
        payload=LedgerMdfAccrualReversed(
            partner_id=partner.partner_id,
            entry_id=reversal_id,
            reverses=record.entry_id,
            deal_id=deal.deal_id,
            period=quarter_of(deal.won.closed_on),
            amount=Money.recorded(amount, event.amount.currency),  # derived from a recorded event
            rule_version=pv.version,
        ),
        time=business_time(event.on),
        event_id=announcement_id(reversal_id, "mdf_accrual_reversed"),
        causation_id=meta.event_id,
    )
