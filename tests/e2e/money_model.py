"""An independent model of the MDF money of a program, for the model-based walk across services.

It knows nothing of the services' code: it applies the program's published rules (a 1 % accrual of
won revenue, half-even to the cent, held while a deal is flagged; a 90-day clawback window; the
mdf service's fund arithmetic) to the steps the walk took, and says what every fund and every
ledger MDF account must show. Amounts are Decimals; a fund is a (partner, period, currency) triple.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

ZERO = Decimal("0.00")
ACCRUAL_RATE = Decimal("0.01")
CLAWBACK_WINDOW_DAYS = 90


def quarter(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


@dataclass
class FundFigures:
    available: Decimal = ZERO
    reserved: Decimal = ZERO
    disbursed: Decimal = ZERO


@dataclass
class Deal:
    deal_id: str
    partner_id: str
    currency: str
    amount: Decimal
    closed_on: date
    accrual: Decimal
    held: bool  # flagged at the win: the accrual waits in the ledger's mdf_held
    settled: bool = False  # reversed, or its flag confirmed: nothing more can move


@dataclass
class Request:
    request_id: str
    partner_id: str
    period: str
    currency: str
    requested: Decimal
    starts_on: date
    ends_on: date
    status: str = "submitted"  # submitted, approved, rejected, cancelled, lapsed, completed
    approved: Decimal = ZERO
    deadline: date | None = None
    open_claim: tuple[str, Decimal] | None = None  # (claim id, claimed amount) under review


@dataclass
class MoneyModel:
    funds: dict[tuple[str, str, str], FundFigures] = field(default_factory=dict)
    held: dict[tuple[str, str], Decimal] = field(default_factory=dict)  # (partner, currency)
    closed: set[str] = field(default_factory=set)
    deals: dict[str, Deal] = field(default_factory=dict)
    requests: dict[str, Request] = field(default_factory=dict)

    def fund(self, partner_id: str, period: str, currency: str) -> FundFigures:
        return self.funds.setdefault((partner_id, period, currency), FundFigures())

    def _credit(self, partner_id: str, period: str, currency: str, amount: Decimal) -> None:
        """Money that becomes available; in a closed period it expires at once."""
        if period not in self.closed:
            self.fund(partner_id, period, currency).available += amount

    # --- registration and ledger steps ---
    def won(self, deal: Deal) -> None:
        self.deals[deal.deal_id] = deal
        if deal.held:
            key = (deal.partner_id, deal.currency)
            self.held[key] = self.held.get(key, ZERO) + deal.accrual
        else:
            self._credit(deal.partner_id, quarter(deal.closed_on), deal.currency, deal.accrual)

    def cleared(self, deal_id: str) -> None:
        deal = self.deals[deal_id]
        if deal.settled or not deal.held:
            return
        deal.held = False
        self.held[(deal.partner_id, deal.currency)] -= deal.accrual
        self._credit(deal.partner_id, quarter(deal.closed_on), deal.currency, deal.accrual)

    def confirmed(self, deal_id: str) -> None:
        """A confirmed flag rejects the deal: its held accrual goes back, whatever the window."""
        self._take_back(self.deals[deal_id])

    def reversed(self, deal_id: str, on: date) -> None:
        deal = self.deals[deal_id]
        if (on - deal.closed_on).days > CLAWBACK_WINDOW_DAYS:
            return  # outside the clawback window: the rewards stand
        self._take_back(deal)

    def _take_back(self, deal: Deal) -> None:
        if deal.settled:
            return
        deal.settled = True
        if deal.held:
            self.held[(deal.partner_id, deal.currency)] -= deal.accrual
            return
        # The mdf service claws back what the fund still has available; the rest was spent.
        fund = self.fund(deal.partner_id, quarter(deal.closed_on), deal.currency)
        fund.available -= min(deal.accrual, fund.available)

    # --- mdf steps ---
    def allocated(self, partner_id: str, period: str, currency: str, amount: Decimal) -> None:
        self.fund(partner_id, period, currency).available += amount

    def approved(self, request_id: str, amount: Decimal, deadline: date) -> None:
        request = self.requests[request_id]
        fund = self.fund(request.partner_id, request.period, request.currency)
        assert amount <= fund.available, "the model never approves more than is available"
        fund.available -= amount
        fund.reserved += amount
        request.status, request.approved, request.deadline = "approved", amount, deadline

    def cancelled(self, request_id: str, *, lapsed: bool = False) -> None:
        request = self.requests[request_id]
        if request.status == "approved":
            self.fund(request.partner_id, request.period, request.currency).reserved -= request.approved
            self._credit(request.partner_id, request.period, request.currency, request.approved)
        request.status = "lapsed" if lapsed else "cancelled"

    def claim_approved(self, request_id: str, amount: Decimal) -> None:
        request = self.requests[request_id]
        fund = self.fund(request.partner_id, request.period, request.currency)
        fund.reserved -= request.approved
        fund.disbursed += amount
        self._credit(request.partner_id, request.period, request.currency, request.approved - amount)
        request.status, request.open_claim = "completed", None

    def close(self, period: str, as_of: date) -> None:
        """Lapse what cannot be claimed any more, then expire every fund's available money."""
        for request in self.requests.values():
            if request.period != period:
                continue
            if request.status == "submitted":
                request.status = "lapsed"
            elif (
                request.status == "approved"
                and request.open_claim is None
                and request.deadline is not None
                and request.deadline < as_of
            ):
                self.cancelled(request.request_id, lapsed=True)
        self.closed.add(period)
        for (_, fund_period, _), figures in self.funds.items():
            if fund_period == period:
                figures.available = ZERO

    # --- what the services must show ---
    def partner_funds(self, partner_id: str) -> dict[tuple[str, str], FundFigures]:
        return {(p, c): f for (who, p, c), f in self.funds.items() if who == partner_id}

    def ledger_accounts(self, partner_id: str) -> dict[tuple[str, str], Decimal]:
        """(purpose, currency) -> balance the ledger must show for the partner's MDF accounts."""
        out: dict[tuple[str, str], Decimal] = {}
        for (_, currency), f in self.partner_funds(partner_id).items():
            for purpose, value in (
                ("mdf_available", f.available),
                ("mdf_reserved", f.reserved),
                ("mdf_disbursed", f.disbursed),
            ):
                out[(purpose, currency)] = out.get((purpose, currency), ZERO) + value
        for (who, currency), value in self.held.items():
            if who == partner_id:
                out[("mdf_held", currency)] = value
        return {k: v for k, v in out.items() if v}
