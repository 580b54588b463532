"""deal.won -> reward entries (one per component), the MDF accrual, and the partner's tier."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from decimal import Decimal

from incentive_contracts.events.deal import DealWon
from incentive_contracts.events.ledger import LedgerMdfAccrued
from incentive_contracts.money import Money

from . import accounts
from .catalog import ProgramVersion
from .evolve import evolve
from .explanation import RewardExplanation, WinFacts
from .journal import JournalEntry, Posting
from .money import fmt, percent_of, quarter_of, rate_step, round_money, zero
from .outcome import Announcement, EventMeta, Outcome, announcement_id, business_time, entry_id
from .planned_rewards import planned_assess
from .rewards import Assessment, Component
from .rule_plan import RulePlan, plan_for
from .state import DealRecord, PartnerLedger, QuarterTotals, RewardRecord, WonDeal
from .tiers import evaluate, revenue_with


def reward_postings(
    partner_id: str, program_id: str, expense: str, credit: str, currency: str, paid: Decimal, capped: Decimal
) -> tuple[Posting, ...]:
    """The reward charged to the program's ``expense`` account; what was capped to the capped accounts."""
    postings = [
        Posting(expense, currency, paid),
        Posting(accounts.partner_account(partner_id, credit), currency, -paid),
    ]
    if capped:
        postings += [
            Posting(accounts.program_account(program_id, accounts.REWARDS_CAPPED), currency, capped),
            Posting(accounts.partner_account(partner_id, accounts.REBATES_CAPPED), currency, -capped),
        ]
    return tuple(postings)


# How a won deal's rewards are decided: ``rewards.assess`` (the definition) or ``planned_assess`` (the same
# from the version's compiled plan: what the projector runs; the tests hold the two equal).
Assessor = Callable[[PartnerLedger, DealRecord, DealWon, ProgramVersion, str], Assessment]


def on_won(
    partner: PartnerLedger,
    deal: DealRecord,
    event: DealWon,
    meta: EventMeta,
    pv: ProgramVersion,
    assess: Assessor = planned_assess,
) -> Outcome:
    outcome = Outcome(partner=partner)
    if deal.won is not None:
        return outcome  # the same deal won twice (a re-sent CRM update): its rewards exist already
    if partner.tier is None or pv.program.tiers.index(partner.tier) < 0:
        partner, made = evaluate(partner, pv, event.closed_on, meta.event_id)
        outcome.announcements += made
    assert partner.tier is not None
    currency, amount = event.amount.currency, event.amount.amount
    assessment = assess(partner, deal, event, pv, partner.tier)
    plan = plan_for(pv)
    held = bool(deal.flags)  # a deal flagged before its win posts its rewards straight to held
    credit = accounts.REBATES_HELD if held else accounts.REBATES_PAYABLE
    base = _win_facts(event, pv, partner.tier, held)
    records: list[RewardRecord] = []
    rewarded = zero(currency)
    if assessment.ineligible is not None:
        outcome.entries.append(_zero_rebate(partner, event, meta, plan, assessment, base, credit))
    for component in assessment.components:
        entry, record = _component_entry(partner, event, meta, plan, component, base, credit, assessment, held)
        outcome.entries.append(entry)
        records.append(record)
        rewarded += record.paid
    accrual = _mdf_accrual(partner, event, meta, plan, base, held)
    if accrual is not None:
        entry, record, announcement = accrual
        outcome.entries.append(entry)
        records.append(record)
        if announcement is not None:  # a held accrual is announced when the flag is cleared
            outcome.announcements.append(announcement)
    quarter = quarter_of(event.closed_on)
    totals = partner.quarter(quarter, currency)
    won_totals = QuarterTotals(won=totals.won + amount, rewarded=totals.rewarded + rewarded)
    # set_quarter, then add_revenue, in one copy of the partner
    partner = evolve(
        partner,
        quarters=quarters_with(partner.quarters, quarter, currency, won_totals),
        revenue=revenue_with(partner.revenue, event.closed_on, currency, amount),
    )
    partner, made = evaluate(partner, pv, event.closed_on, meta.event_id)
    outcome.announcements += made
    won = WonDeal(meta.event_id, event.product_line, currency, amount, event.closed_on, pv.program_id, pv.version)
    outcome.deals[deal.deal_id] = evolve(
        deal, won=won, rewards=tuple(records), held=held, held_amount=rewarded if held else Decimal(0)
    )
    outcome.partner = partner
    return outcome


def _win_facts(event: DealWon, pv: ProgramVersion, tier: str, held: bool) -> WinFacts:
    return WinFacts(
        event_type=event.event_type,
        deal_id=event.deal_id,
        program=pv.program_id,
        program_version=pv.version,
        currency=event.amount.currency,
        won_amount=fmt(event.amount.amount),
        closed_on=event.closed_on.isoformat(),
        product_line=event.product_line,
        tier=tier,
        held=held,
    )


def set_quarter(partner: PartnerLedger, quarter: str, currency: str, totals: QuarterTotals) -> PartnerLedger:
    """The partner with its (quarter, currency) totals set: a sorted insert or replacement into its
    rows, sorted by (quarter, currency) as this function always leaves them (``reference_set_quarter``
    rebuilds them; a test holds the two equal)."""
    return evolve(partner, quarters=quarters_with(partner.quarters, quarter, currency, totals))


def quarters_with(
    rows: tuple[tuple[str, str, QuarterTotals], ...], quarter: str, currency: str, totals: QuarterTotals
) -> tuple[tuple[str, str, QuarterTotals], ...]:
    """``rows`` (sorted by quarter and currency) with the (quarter, currency) row set to ``totals``."""
    i = bisect_left(rows, (quarter, currency))  # a row sorts after its (quarter, currency): no key needed
    end = i + 1 if i < len(rows) and rows[i][0] == quarter and rows[i][1] == currency else i
    return (*rows[:i], (quarter, currency, totals), *rows[end:])


def reference_set_quarter(partner: PartnerLedger, quarter: str, currency: str, totals: QuarterTotals) -> PartnerLedger:
    rows = {(q, c): t for q, c, t in partner.quarters}
    rows[(quarter, currency)] = totals
    return evolve(partner, quarters=tuple((q, c, t) for (q, c), t in sorted(rows.items())))


def _component_entry(
    partner: PartnerLedger,
    event: DealWon,
    meta: EventMeta,
    plan: RulePlan,
    c: Component,
    base: WinFacts,
    credit: str,
    assessment: Assessment,
    held: bool,
) -> tuple[JournalEntry, RewardRecord]:
    currency = event.amount.currency
    paid = c.paid if c.paid is not None else c.gross
    capped = c.gross - paid
    steps = list(c.steps)
    steps += [f"capped by the {name}" for name in c.capped_by]
    if c.key == "rebate":
        steps += assessment.dropped
    if capped:
        steps.append(f"{fmt(capped)} {currency} recorded as capped, not paid")
    if held:
        steps.append("the deal is flagged: the reward is held, not payable, until the flag is cleared")
    name = _names[c.group]
    won_on = f"{event.product_line}, won {fmt(event.amount.amount)} {currency} on {event.closed_on}"
    summary = f"{name} of {fmt(paid)} {currency} on deal {event.deal_id} ({won_on})"
    if capped:
        summary += f"; {fmt(capped)} {currency} above a limit was capped"
    debit, rule_id = plan.component(c.key)
    entry = JournalEntry(
        entry_id=entry_id(meta.event_id, c.key),
        partner_id=partner.partner_id,
        kind=c.group,
        caused_by=meta.event_id,
        effective_at=business_time(event.closed_on),
        rule_id=rule_id,
        rule_version=plan.version,
        postings=reward_postings(partner.partner_id, plan.program_id, debit, credit, currency, paid, capped),
        explanation=RewardExplanation(
            win=base,
            summary=summary,
            component=c.key,
            inputs=c.inputs,
            steps=tuple(steps),
            gross=fmt(c.gross),
            amount=fmt(paid),
            capped=fmt(capped),
            capped_by=tuple(c.capped_by),
        ),
        deal_id=event.deal_id,
    )
    record = RewardRecord(
        entry.entry_id, c.key, debit, accounts.partner_account(partner.partner_id, credit), paid, capped
    )
    return entry, record


_names = {
    "rebate": "Rebate",
    "growth_accelerator": "Growth accelerator",
    "registration_bonus": "Deal-registration bonus",
    "spiff": "SPIFF",
}


def _zero_rebate(
    partner: PartnerLedger,
    event: DealWon,
    meta: EventMeta,
    plan: RulePlan,
    assessment: Assessment,
    base: WinFacts,
    credit: str,
) -> JournalEntry:
    currency = event.amount.currency
    nothing = zero(currency)
    assert assessment.ineligible is not None
    return JournalEntry(
        entry_id=entry_id(meta.event_id, "rebate"),
        partner_id=partner.partner_id,
        kind="rebate",
        caused_by=meta.event_id,
        effective_at=business_time(event.closed_on),
        rule_id=f"{plan.program_id}/influence",
        rule_version=plan.version,
        postings=reward_postings(
            partner.partner_id, plan.program_id, plan.component("rebate")[0], credit, currency, nothing, nothing
        ),
        explanation=RewardExplanation(
            win=base,
            summary=f"No reward on deal {event.deal_id}: {assessment.ineligible}",
            component="rebate",
            inputs={"influence_required": True},
            steps=(assessment.ineligible,),
            gross=fmt(nothing),
            amount=fmt(nothing),
            capped=fmt(nothing),
            capped_by=(),
        ),
        deal_id=event.deal_id,
    )


def _mdf_accrual(
    partner: PartnerLedger, event: DealWon, meta: EventMeta, plan: RulePlan, base: WinFacts, held: bool
) -> tuple[JournalEntry, RewardRecord, Announcement | None] | None:
    """The accrual into mdf_available (announced as ledger.mdf_accrued), or into mdf_held when the
    deal is flagged: not spendable and not announced until the flag is cleared (holds.py)."""
    rule = plan.mdf
    if rule is None:
        return None
    currency, amount = event.amount.currency, event.amount.amount
    exact = percent_of(amount, rule.percent)
    value = round_money(exact, currency)
    if not value:
        return None
    debit = rule.debit
    credit = accounts.partner_account(partner.partner_id, accounts.MDF_HELD if held else accounts.MDF_AVAILABLE)
    period = quarter_of(event.closed_on)
    steps = [rate_step(fmt(amount), currency, rule.percent_text, exact, value)]
    if held:
        steps.append("the deal is flagged: the accrual is held (mdf_held), not spendable, until the flag is cleared")
    entry = JournalEntry(
        entry_id=entry_id(meta.event_id, "mdf_accrual"),
        partner_id=partner.partner_id,
        kind="mdf_accrual",
        caused_by=meta.event_id,
        effective_at=business_time(event.closed_on),
        rule_id=rule.rule_id,
        rule_version=plan.version,
        postings=(Posting(debit, currency, value), Posting(credit, currency, -value)),
        explanation=RewardExplanation(
            win=base,
            summary=f"MDF accrual of {fmt(value)} {currency} into the {period} fund from deal {event.deal_id}",
            component="mdf_accrual",
            inputs={"rate_percent": rule.percent_text, "period": period},
            steps=tuple(steps),
            gross=fmt(value),
            amount=fmt(value),
            capped=fmt(zero(currency)),
            capped_by=(),
            period=period,
        ),
        deal_id=event.deal_id,
    )
    record = RewardRecord(entry.entry_id, "mdf_accrual", debit, credit, value, zero(currency))
    if held or not meta.announces:
        return entry, record, None
    announcement = Announcement(
        payload=LedgerMdfAccrued(
            partner_id=partner.partner_id,
            entry_id=entry.entry_id,
            deal_id=event.deal_id,
            period=period,
            amount=Money.recorded(value, currency),  # derived from a recorded deal.won
            rate=rule.rate_text,
            rule_version=plan.version,
        ),
        time=business_time(event.closed_on),
        event_id=announcement_id(entry.entry_id, "mdf_accrued"),
        causation_id=meta.event_id,
    )
    return entry, record, announcement
