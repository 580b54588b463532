from datetime import date
from decimal import Decimal

import pytest
from mdf.domain.budget import Allocate, ProgramBudget, SetBudget, decide_allocate, decide_set_budget, evolve_budget
from mdf.domain.errors import RuleViolation
from mdf_builders import eur

BUDGET = ProgramBudget("2026-Q2", "EUR", Decimal("10000.00"), Decimal("7000.00"))


def allocate(amount: str, budget: ProgramBudget | None = BUDGET, closed: bool = False):
    return decide_allocate(budget, Allocate("a1", "p1", "2026-Q2", eur(amount), date(2026, 4, 1)), closed=closed)


def test_allocation_within_the_budget_emits_allocated_and_counts_against_it():
    [event] = allocate("3000.00")
    assert (event.partner_id, event.allocation_id, event.amount) == ("p1", "a1", eur("3000.00"))
    assert evolve_budget(BUDGET, event).remaining == Decimal("0.00")


def test_over_allocation_is_refused():
    with pytest.raises(RuleViolation) as raised:
        allocate("3000.01")
    assert raised.value.rules == ["over_allocation"]
    assert "3000.00 EUR" in str(raised.value)  # what is left


def test_allocation_needs_a_budget_an_open_period_and_a_positive_amount():
    with pytest.raises(RuleViolation) as raised:
        allocate("-5.00", budget=None, closed=True)
    assert raised.value.rules == ["period_closed", "amount_not_positive", "no_budget"]
    with pytest.raises(ValueError, match="decimal places"):  # too fine: the Money type refuses it itself
        eur("-5.001")


def test_budget_cannot_drop_below_what_is_allocated():
    lowered = decide_set_budget(BUDGET, SetBudget("2026-Q2", eur("7000.00")), closed=False)
    assert (lowered.amount, lowered.allocated) == (Decimal("7000.00"), Decimal("7000.00"))
    with pytest.raises(RuleViolation) as raised:
        decide_set_budget(BUDGET, SetBudget("2026-Q2", eur("6999.99")), closed=False)
    assert raised.value.rules == ["budget_below_allocated"]
    with pytest.raises(RuleViolation) as raised:
        decide_set_budget(None, SetBudget("2026-Q2", eur("5")), closed=True)
    assert raised.value.rules == ["period_closed"]
