"""The MDF accrual of a flagged deal sits in mdf_held (not spendable; the mdf service does not know
it). Clearing the deal's last flag releases it to mdf_available and announces it then, as
``ledger.mdf_accrued`` under the release entry's id; a confirmed flag or a reversal takes it back to
the expense instead (clawback.py).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from incentive_contracts.events.ledger import LedgerMdfAccrued
from incentive_contracts.money import Money

from . import accounts
from .evolve import evolve
from .explanation import HeldAccrualRelease
from .journal import JournalEntry, transfer
from .money import fmt, quarter_of
from .outcome import Announcement, EventMeta, announcement_id, business_time, entry_id
from .state import DealRecord, PartnerLedger, RewardRecord

RELEASE_RULE = "ledger/holds"
RELEASE_RULE_VERSION = 1


def is_held_accrual(partner_id: str, record: RewardRecord) -> bool:
    return not record.is_reward and record.credit_account == accounts.partner_account(partner_id, accounts.MDF_HELD)


def release_held_accrual(
    partner: PartnerLedger, deal: DealRecord, meta: EventMeta, on: date, why: str, rate: Decimal | None
) -> tuple[JournalEntry, Announcement, tuple[RewardRecord, ...]] | None:
    """mdf_held -> mdf_available for what is left of the deal's held accrual, and its announcement.

    ``rate`` is the accrual rate (a fraction) of the program version that priced the win; when it is
    unknown the announcement carries the effective rate of what was accrued.
    """
    won = deal.won
    assert won is not None
    held = [r for r in deal.rewards if is_held_accrual(partner.partner_id, r)]
    if not held:
        return None
    record = held[0]
    amount = record.outstanding
    available = accounts.partner_account(partner.partner_id, accounts.MDF_AVAILABLE)
    records = tuple(evolve(r, credit_account=available) if r is record else r for r in deal.rewards)
    if amount <= 0:
        return None
    currency, period = won.currency, quarter_of(won.closed_on)
    entry = JournalEntry(
        entry_id=entry_id(meta.event_id, "mdf_hold_release"),
        partner_id=partner.partner_id,
        kind="mdf_hold_release",
        caused_by=meta.event_id,
        effective_at=business_time(on),
        rule_id=RELEASE_RULE,
        rule_version=RELEASE_RULE_VERSION,
        postings=transfer(accounts.partner_account(partner.partner_id, accounts.MDF_HELD), available, currency, amount),
        explanation=HeldAccrualRelease(
            event_type="deal.flag_cleared",
            deal_id=deal.deal_id,
            currency=currency,
            amount=fmt(amount),
            period=period,
            summary=f"Release of the held MDF accrual of {fmt(amount)} {currency} into the {period} fund: {why}",
            steps=(why, "no flag remains on the deal: its MDF accrual is available (announced to the mdf service)"),
        ),
        reverses=record.entry_id,
        deal_id=deal.deal_id,
    )
    effective_rate = rate if rate is not None else (record.paid / won.amount).normalize()
    announcement = Announcement(
        payload=LedgerMdfAccrued(
            partner_id=partner.partner_id,
            entry_id=entry.entry_id,
            deal_id=deal.deal_id,
            period=period,
            amount=Money(amount=amount, currency=currency),
            rate=fmt(effective_rate),
            rule_version=won.program_version,
        ),
        time=entry.effective_at,
        event_id=announcement_id(entry.entry_id, "mdf_accrued"),
        causation_id=meta.event_id,
    )
    return entry, announcement, records
