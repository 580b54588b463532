"""The program-level MDF budget of a period and currency, and allocations within it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from incentive_contracts.events.mdf import MdfAllocated
from incentive_contracts.money import Money

from .amounts import ZERO, round_amount, show
from .errors import Violation, raise_if_any
from .rules import period_closed, positive_amount


@dataclass(frozen=True)
class ProgramBudget:
    period: str
    currency: str
    amount: Decimal
    allocated: Decimal = ZERO

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.allocated


@dataclass(frozen=True)
class SetBudget:
    period: str
    amount: Money


@dataclass(frozen=True)
class Allocate:
    allocation_id: str
    partner_id: str
    period: str
    amount: Money
    allocated_on: date


def decide_set_budget(state: ProgramBudget | None, command: SetBudget, *, closed: bool) -> ProgramBudget:
    amount, currency = command.amount.amount, command.amount.currency
    allocated = state.allocated if state is not None else round_amount(ZERO, currency)
    found: list[Violation] = []
    if closed:
        found.append(period_closed(command.period))
    if amount < ZERO:
        found.append(Violation("amount_not_positive", "a budget cannot be negative"))
    if amount < allocated:
        found.append(
            Violation(
                "budget_below_allocated",
                f"the budget cannot go below the {show(allocated, currency)} already allocated",
            )
        )
    raise_if_any(found)
    return ProgramBudget(command.period, currency, amount, allocated)


def decide_allocate(budget: ProgramBudget | None, command: Allocate, *, closed: bool) -> list[MdfAllocated]:
    amount, currency = command.amount.amount, command.amount.currency
    found: list[Violation] = []
    if closed:
        found.append(period_closed(command.period))
    found += positive_amount("the allocation", command.amount)
    if budget is None:
        found.append(Violation("no_budget", f"no program budget in {currency} is set for {command.period}"))
    elif amount > budget.remaining:
        found.append(
            Violation(
                "over_allocation",
                f"{show(amount, currency)} exceeds the {show(budget.remaining, currency)} left in the "
                f"{command.period} program budget",
            )
        )
    raise_if_any(found)
    return [
        MdfAllocated(
            partner_id=command.partner_id,
            allocation_id=command.allocation_id,
            period=command.period,
            amount=command.amount,
            allocated_on=command.allocated_on,
        )
    ]


def evolve_budget(budget: ProgramBudget, event: MdfAllocated) -> ProgramBudget:
    return replace(budget, allocated=budget.allocated + event.amount.amount)
