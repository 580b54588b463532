"""What each side of the cross-service reconciliation says, as plain values (no I/O).

Amounts are exact decimals in the currency named beside them. Ledger figures are the partner's view
(credit-normal: what the vendor holds for or owes the partner, so a healthy balance is positive).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

ZERO = Decimal(0)
FundKey = tuple[str, str, str]  # (partner_id, period, currency)


@dataclass(frozen=True)
class MdfFundPosition:
    """The mdf service's fund of a partner for one period and currency."""

    partner_id: str
    period: str
    currency: str
    allocated: Decimal = ZERO
    accrued: Decimal = ZERO
    reserved: Decimal = ZERO
    disbursed: Decimal = ZERO
    expired: Decimal = ZERO
    available: Decimal = ZERO

    @property
    def key(self) -> FundKey:
        return (self.partner_id, self.period, self.currency)


@dataclass(frozen=True)
class LedgerFundBalance:
    """The ledger's MDF accounts of a partner, summed over the entries of one fund period."""

    partner_id: str
    period: str
    currency: str
    available: Decimal = ZERO
    reserved: Decimal = ZERO
    disbursed: Decimal = ZERO
    held: Decimal = ZERO  # accruals of flagged deals (mdf_held): ledger-only, not spendable

    @property
    def key(self) -> FundKey:
        return (self.partner_id, self.period, self.currency)


@dataclass(frozen=True)
class RegisteredDeal:
    """A deal the registration service has as won (it may since have been reversed)."""

    deal_id: str
    partner_id: str
    currency: str
    won_amount: Decimal
    closed_on: date
    reversed_amount: Decimal = ZERO
    status: str = "won"
    open_flags: tuple[str, ...] = ()

    @property
    def flagged(self) -> bool:
        return bool(self.open_flags)

    @property
    def reversed_in_effect(self) -> Decimal:
        """What the ledger must have reversed: a deal rejected by a confirmed flag is reversed in full."""
        return self.won_amount if self.status == "rejected" else self.reversed_amount


@dataclass(frozen=True)
class LedgerDeal:
    """What the ledger booked for a won deal: its state and its journal entries."""

    deal_id: str
    partner_id: str
    currency: str
    won_amount: Decimal
    closed_on: date
    reversed_amount: Decimal = ZERO
    held: bool = False  # the deal's rewards sit in rebates_held
    reward_entries: int = 0  # reward and accrual entries posted at the win
    clawback_entries: int = 0  # entries posted for its reversals (a zero one outside the window)
    accrued_held_at_win: bool = False  # the accrual entry's explanation says the deal was held
    accrual_spendable: Decimal = ZERO  # the deal's entries' net postings on mdf_available


@dataclass(frozen=True)
class PayoutSettlement:
    """Per partner, quarter and currency: payout lines acknowledged against the journal."""

    partner_id: str
    period: str
    currency: str
    lines_paid: Decimal = ZERO  # payout lines acknowledged paid in the quarter
    journal_paid: Decimal = ZERO  # rebates_paid postings effective in the quarter

    @property
    def key(self) -> FundKey:
        return (self.partner_id, self.period, self.currency)
