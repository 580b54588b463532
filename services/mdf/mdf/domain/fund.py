"""A partner's fund for one period and currency, and how each event moves it.

available = allocated + accrued - reserved - disbursed - expired. ``reserved`` is what approved
requests may still pay out; a disbursement moves money from reserved to disbursed; ``claimed`` is
the total of approved claims (the spend proven by the partner).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from incentive_contracts.events.mdf import (
    MdfAllocated,
    MdfClaimApproved,
    MdfDisbursed,
    MdfFundsExpired,
    MdfRequestApproved,
    MdfRequestCancelled,
)
from incentive_contracts.payload import EventPayload

from .amounts import ZERO
from .errors import RuleViolation
from .request import MdfRequest
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


def evolve_fund(fund: Fund, event: EventPayload, *, request: MdfRequest | None = None) -> Fund:
    """The fund after one event; ``request`` is the request's state before a claim approval."""
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
        if request is None or request.approved_amount is None:
            raise ValueError("a claim approval moves the fund only with its approved request")
        released = request.approved_amount - event.approved_amount.amount
        return replace(fund, claimed=fund.claimed + event.approved_amount.amount, reserved=fund.reserved - released)
    if isinstance(event, MdfDisbursed):
        return replace(
            fund, reserved=fund.reserved - event.amount.amount, disbursed=fund.disbursed + event.amount.amount
        )
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
