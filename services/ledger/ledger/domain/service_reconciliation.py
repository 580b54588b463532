"""Cross-service reconciliation: the other services' figures against the ledger's book, per partner,
period and currency. Pure: the figures come in, the differences go out; none is dropped.

(a) MDF: every (partner, period, currency) fund of the mdf service against the ledger's MDF accounts
    split by fund period (available, reserved, disbursed). Accruals the ledger holds for flagged deals
    (mdf_held) are ledger-only by design: reported as information, never as a difference.
(b) Deals: every deal the registration service has as won against the ledger's booking of it: known
    to both, same amount, currency and close date, reward entries posted, reversals with clawbacks,
    the same hold, and no spendable MDF accrual while a deal flagged at its win is still flagged.
(c) Payouts: payout lines acknowledged paid against the journal's rebates_paid, per quarter.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from .money import fmt, quarter_of, round_money
from .service_positions import (
    ZERO,
    FundKey,
    LedgerDeal,
    LedgerFundBalance,
    MdfFundPosition,
    PayoutSettlement,
    RegisteredDeal,
)

MDF_MEASURES = ("available", "reserved", "disbursed")
MDF_PARTS = ("allocated", "accrued", "reserved", "disbursed", "expired")


@dataclass(frozen=True)
class Difference:
    """One disagreement (or one piece of information), with both sides' figures as written."""

    check: str
    source: str  # the other side: mdf | registration | payouts
    partner_id: str
    period: str
    currency: str
    theirs: str  # the other service's figure (or state)
    ours: str  # the ledger's figure (or state)
    note: str
    subject: str | None = None  # the deal, when the line is about one

    @property
    def amount(self) -> Decimal | None:
        """ours - theirs when both figures are amounts."""
        try:
            return Decimal(self.ours) - Decimal(self.theirs)
        except ArithmeticError:
            return None


@dataclass
class ServiceReconciliation:
    differences: list[Difference] = field(default_factory=list)
    information: list[Difference] = field(default_factory=list)
    compared: dict[str, int] = field(default_factory=dict)  # source -> items compared

    @property
    def ok(self) -> bool:
        return not self.differences

    def counts(self) -> dict[str, int]:
        """Differences per check (every check named, zero included)."""
        found = dict.fromkeys(CHECKS, 0)
        for d in self.differences:
            found[d.check] = found.get(d.check, 0) + 1
        return found


CHECKS = (
    "mdf_available",
    "mdf_reserved",
    "mdf_disbursed",
    "deal_unknown_to_ledger",
    "deal_unknown_to_registration",
    "deal_won_amount",
    "deal_reward_entries",
    "deal_reversed_amount",
    "deal_clawback_entries",
    "deal_hold",
    "deal_flagged_accrual_spendable",
    "payouts_paid",
)


def reconcile_services(
    mdf_funds: Iterable[MdfFundPosition],
    ledger_funds: Iterable[LedgerFundBalance],
    registered: Iterable[RegisteredDeal],
    booked: Iterable[LedgerDeal],
    settlements: Iterable[PayoutSettlement],
) -> ServiceReconciliation:
    report = ServiceReconciliation()
    _funds(report, list(mdf_funds), list(ledger_funds))
    _deals(report, list(registered), list(booked))
    _payouts(report, list(settlements))
    report.differences.sort(key=_order)
    report.information.sort(key=_order)
    return report


def _order(d: Difference) -> tuple[str, str, str, str, str]:
    return (d.partner_id, d.period, d.currency, d.check, d.subject or "")


def _funds(report: ServiceReconciliation, theirs: list[MdfFundPosition], ours: list[LedgerFundBalance]) -> None:
    by_mdf: dict[FundKey, MdfFundPosition] = {f.key: f for f in theirs}
    by_ledger: dict[FundKey, LedgerFundBalance] = {f.key: f for f in ours}
    keys = sorted(set(by_mdf) | set(by_ledger))
    report.compared["mdf"] = len(keys)
    for key in keys:
        partner_id, period, currency = key
        mdf = by_mdf.get(key) or MdfFundPosition(*key)
        ledger = by_ledger.get(key) or LedgerFundBalance(*key)
        where = "no fund in the mdf service" if key not in by_mdf else "no MDF entries in the ledger"
        for measure in MDF_MEASURES:
            them, us = getattr(mdf, measure), getattr(ledger, measure)
            if them == us:
                continue
            parts = ", ".join(f"{m} {_show(getattr(mdf, m), currency)}" for m in MDF_PARTS)
            note = f"mdf fund {measure} ({parts}) against ledger mdf_{measure} for entries of {period}"
            if key not in by_mdf or key not in by_ledger:
                note += f"; {where}"
            report.differences.append(
                Difference(
                    f"mdf_{measure}",
                    "mdf",
                    partner_id,
                    period,
                    currency,
                    _show(them, currency),
                    _show(us, currency),
                    note,
                )
            )
        if ledger.held:
            report.information.append(
                Difference(
                    "mdf_held",
                    "mdf",
                    partner_id,
                    period,
                    currency,
                    _show(ZERO, currency),
                    _show(ledger.held, currency),
                    "accruals of flagged deals held by the ledger (mdf_held); the mdf service learns of them "
                    "only when the flag is cleared",
                )
            )


def _deals(report: ServiceReconciliation, theirs: list[RegisteredDeal], ours: list[LedgerDeal]) -> None:
    by_registration = {(d.partner_id, d.deal_id): d for d in theirs}
    by_ledger = {(d.partner_id, d.deal_id): d for d in ours}
    keys = sorted(set(by_registration) | set(by_ledger))
    report.compared["registration"] = len(keys)
    for key in keys:
        reg, led = by_registration.get(key), by_ledger.get(key)
        if reg is None:
            assert led is not None
            report.differences.append(
                _deal_line(
                    "deal_unknown_to_registration",
                    led.partner_id,
                    led.deal_id,
                    quarter_of(led.closed_on),
                    led.currency,
                    "not won",
                    f"won {_show(led.won_amount, led.currency)}",
                    "the ledger booked rewards for a deal the registration service does not have as won",
                )
            )
            continue
        if led is None:
            report.differences.append(
                _deal_line(
                    "deal_unknown_to_ledger",
                    reg.partner_id,
                    reg.deal_id,
                    quarter_of(reg.closed_on),
                    reg.currency,
                    f"won {_show(reg.won_amount, reg.currency)}",
                    "no booking",
                    "won in the registration service, no reward entry in the ledger (dead-lettered or not yet applied)",
                )
            )
            continue
        report.differences += _compare_deal(reg, led)


def _compare_deal(reg: RegisteredDeal, led: LedgerDeal) -> list[Difference]:
    found: list[Difference] = []
    period = quarter_of(reg.closed_on)

    def line(check: str, theirs: str, ours: str, note: str, currency: str = reg.currency) -> None:
        found.append(_deal_line(check, reg.partner_id, reg.deal_id, period, currency, theirs, ours, note))

    if (reg.currency, reg.won_amount, reg.closed_on) != (led.currency, led.won_amount, led.closed_on):
        line(
            "deal_won_amount",
            f"{_show(reg.won_amount, reg.currency)} {reg.currency} on {reg.closed_on}",
            f"{_show(led.won_amount, led.currency)} {led.currency} on {led.closed_on}",
            "won amount, currency and close date",
        )
    if led.reward_entries == 0:
        line("deal_reward_entries", "won", "0 entries", "a won deal has its reward entries in the ledger")
    if reg.reversed_in_effect != led.reversed_amount:
        line(
            "deal_reversed_amount",
            _show(reg.reversed_in_effect, reg.currency),
            _show(led.reversed_amount, reg.currency),
            "reversed amount applied by each side (deal.reversed; a confirmed flag reverses the whole deal)",
        )
    if led.reversed_amount and led.clawback_entries == 0:
        line(
            "deal_clawback_entries",
            f"reversed {_show(reg.reversed_amount, reg.currency)}",
            "0 clawback entries",
            "a reversed deal has clawback entries (zero ones outside the window)",
        )
    if reg.flagged != led.held:
        flags = ", ".join(reg.open_flags) or "none"
        line(
            "deal_hold",
            f"flagged ({flags})" if reg.flagged else "not flagged",
            "rewards held" if led.held else "rewards not held",
            "open flags against the ledger's hold of the rewards",
        )
    if reg.flagged and led.accrued_held_at_win and led.accrual_spendable:
        line(
            "deal_flagged_accrual_spendable",
            _show(ZERO, reg.currency),
            _show(led.accrual_spendable, reg.currency),
            f"the deal is flagged ({', '.join(reg.open_flags)}) and was held at its win: its MDF accrual must not "
            "be spendable (partner mdf_available) until the flag is cleared",
        )
    return found


def _show(amount: Decimal, currency: str) -> str:
    """The amount in the currency's minor units when that loses nothing (mdf stores four places)."""
    rounded = round_money(amount, currency)
    return fmt(rounded if rounded == amount else amount)


def _deal_line(
    check: str, partner_id: str, deal_id: str, period: str, currency: str, theirs: str, ours: str, note: str
) -> Difference:
    return Difference(check, "registration", partner_id, period, currency, theirs, ours, note, subject=deal_id)


def _payouts(report: ServiceReconciliation, settlements: list[PayoutSettlement]) -> None:
    report.compared["payouts"] = len(settlements)
    for s in sorted(settlements, key=lambda x: x.key):
        if s.lines_paid != s.journal_paid:
            report.differences.append(
                Difference(
                    "payouts_paid",
                    "payouts",
                    s.partner_id,
                    s.period,
                    s.currency,
                    _show(s.lines_paid, s.currency),
                    _show(s.journal_paid, s.currency),
                    "payout lines acknowledged paid in the quarter against rebates_paid postings effective in it",
                )
            )


__all__ = ["CHECKS", "Difference", "ServiceReconciliation", "reconcile_services"]
