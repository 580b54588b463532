"""A partner's fund for one period and currency, and how each event moves it.

available = allocated + accrued - reserved - disbursed - expired. ``reserved`` is what approved
requests may still pay out; a disbursement moves money from reserved to disbursed; a reservation
falls back to available only by an event the ledger applies too (mdf.request_cancelled,
mdf.reservation_released); ``claimed`` is the total of approved claims (the spend proven by the
partner). ``accrued`` is net of accruals clawed back (mdf.accrual_clawed_back), ``disbursed`` of
payouts recovered after a failed audit (mdf.disbursement_recovered). Every change is an
event the ledger posts, so the fund equals the ledger's mdf_available / mdf_reserved / mdf_disbursed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from incentive_contracts.events.mdf import (
    MdfAccrualClawedBack,
    MdfAllocated,
    MdfClaimApproved,
    MdfDisbursed,
    MdfDisbursementRecovered,
    MdfFundsExpired,
    MdfRequestApproved,
    MdfRequestCancelled,
    MdfReservationReleased,
)
from incentive_contracts.payload import EventPayload

from .amounts import ZERO
from .errors import RuleViolation
from .rules import within_available


@dataclass(frozen=True)
class Fund:
    partner_id: str
    period: str
    currency: str
    allocated: Decimal = ZERO
    accrued: Decimal = ZERO
    reserved: Decimal = ZERO
    claimed: Decimal = ZERO
    disbursed: Decimal = ZERO
    expired: Decimal = ZERO

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.partner_id, self.period, self.currency)

    @property
    def available(self) -> Decimal:
        return self.allocated + self.accrued - self.reserved - self.disbursed - self.expired


def accrue(fund: Fund, amount: Decimal) -> Fund:
    return replace(fund, accrued=fund.accrued + amount)


def evolve_fund(fund: Fund, event: EventPayload) -> Fund:
    """The fund after one event."""
    if isinstance(event, MdfAllocated):
        return replace(fund, allocated=fund.allocated + event.amount.amount)
    if isinstance(event, MdfRequestApproved):
        amount = event.approved_amount.amount
        found = within_available(amount, fund.available, fund.currency)
        if found:
            raise RuleViolation(found)
        return replace(fund, reserved=fund.reserved + amount)
    if isinstance(event, MdfRequestCancelled):
        return replace(fund, reserved=fund.reserved - event.released_amount.amount)
    if isinstance(event, MdfClaimApproved):
        return replace(fund, claimed=fund.claimed + event.approved_amount.amount)
    if isinstance(event, MdfReservationReleased):
        return replace(fund, reserved=fund.reserved - event.amount.amount)
    if isinstance(event, MdfAccrualClawedBack):
        return replace(fund, accrued=fund.accrued - event.amount.amount)
    if isinstance(event, MdfDisbursed):
        return replace(
            fund, reserved=fund.reserved - event.amount.amount, disbursed=fund.disbursed + event.amount.amount
        )
    if isinstance(event, MdfDisbursementRecovered):  # a failed audit: the payout comes back to available
        return replace(fund, disbursed=fund.disbursed - event.amount.amount)
    if isinstance(event, MdfFundsExpired):
        return replace(fund, expired=fund.expired + event.amount.amount)
    return fund


STORED_PLACES = 4  # funds are stored as NUMERIC(20, 4)


def accrual_violations(amount: Decimal) -> list[str]:
    """Why a ledger accrual cannot be credited (empty when it can)."""
    found: list[str] = []
    if amount <= ZERO:
        found.append("an mdf accrual must be positive")
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > STORED_PLACES:
        found.append(f"an mdf accrual has at most {STORED_PLACES} decimal places")
    return found
