"""Closing a period: lapse requests (unapproved, or past their claim deadline) releasing their
reservations, then expire every fund's unreserved money. Closing again later sweeps again.

After the close, money released into a closed period (a partial claim, a late accrual) expires at
once, so a closed period never shows available funds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from incentive_contracts.events.mdf import MdfFundsExpired
from incentive_contracts.payload import EventPayload

from .amounts import ZERO, fund_money
from .errors import Violation, raise_if_any
from .fund import Fund, evolve_fund
from .periods import Period
from .request import MdfRequest, decide_lapse

CLOSED_BY = "period-close"


class PeriodStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True)
class PeriodState:
    period: str
    status: PeriodStatus = PeriodStatus.OPEN
    closed_on: date | None = None
    closed_as_of: date | None = None

    @property
    def closed(self) -> bool:
        return self.status == PeriodStatus.CLOSED


@dataclass(frozen=True)
class ClosePeriod:
    period: str
    as_of: date
    today: date


def decide_close(
    state: PeriodState, command: ClosePeriod, *, requests: Sequence[MdfRequest], funds: Sequence[Fund]
) -> list[EventPayload]:
    found: list[Violation] = []
    ends_on = Period.parse(command.period).ends_on
    if command.as_of <= ends_on:
        found.append(Violation("period_not_ended", f"{command.period} ends on {ends_on.isoformat()}; close it after"))
    if command.as_of > command.today:
        found.append(Violation("close_date_in_future", "a period cannot be closed as of a future date"))
    if state.closed_as_of is not None and command.as_of < state.closed_as_of:
        found.append(
            Violation("close_date_before_previous", f"the period was already closed as of {state.closed_as_of}")
        )
    raise_if_any(found)
    events: list[EventPayload] = []
    by_fund = {f.key: f for f in funds}
    for request in sorted(requests, key=lambda r: (r.partner_id, r.request_id)):
        for event in decide_lapse(request, as_of=command.as_of, by=CLOSED_BY):
            key = (request.partner_id, request.period, request.currency)
            by_fund[key] = evolve_fund(by_fund.get(key) or Fund(*key), event)
            events.append(event)
    for key in sorted(by_fund):
        events += expire_unreserved(by_fund[key], reason=f"period {command.period} closed", on=command.as_of)
    return events


def expire_unreserved(fund: Fund, *, reason: str, on: date) -> list[EventPayload]:
    """The fund's available money as one mdf.funds_expired (nothing when there is none)."""
    if fund.available <= ZERO:
        return []
    return [
        MdfFundsExpired(
            partner_id=fund.partner_id,
            period=fund.period,
            amount=fund_money(fund.available, fund.currency),
            reason=reason,
            expired_on=on,
        )
    ]


def evolve_period(state: PeriodState, command: ClosePeriod) -> PeriodState:
    return replace(
        state, status=PeriodStatus.CLOSED, closed_on=state.closed_on or command.today, closed_as_of=command.as_of
    )
