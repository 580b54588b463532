"""Checks shared by several commands; each returns the violations it finds (empty when fine)."""

from __future__ import annotations

from decimal import Decimal

from incentive_contracts.money import Money

from .amounts import ZERO, show
from .errors import Violation
from .policy import MdfPolicy


def period_closed(period: str) -> Violation:
    return Violation("period_closed", f"period {period} is closed")


def positive_amount(label: str, money: Money) -> list[Violation]:
    found: list[Violation] = []
    if money.amount <= ZERO:
        found.append(Violation("amount_not_positive", f"{label} must be positive"))
    # No finer than the currency's minor unit: incentive_contracts.money.Money refuses it at the edge.
    return found


def same_currency(label: str, money: Money, currency: str) -> list[Violation]:
    if money.currency == currency:
        return []
    return [Violation("currency_mismatch", f"{label} is in {money.currency}, the fund is in {currency}")]


def within_available(amount: Decimal, available: Decimal, currency: str) -> list[Violation]:
    if amount <= available:
        return []
    return [
        Violation(
            "insufficient_funds",
            f"{show(amount, currency)} exceeds the {show(available, currency)} available in the fund",
        )
    ]


def activity_violations(activity_type: str, tier: str | None, policy: MdfPolicy) -> list[Violation]:
    """Whether the activity type exists and is open to the partner's tier."""
    allowed = policy.eligibility.get(activity_type)
    if allowed is None:
        known = ", ".join(policy.activity_types)
        return [Violation("activity_unknown", f"unknown activity type {activity_type!r}; known: {known}")]
    if not policy.is_eligible(activity_type, tier):
        return [
            Violation(
                "activity_not_eligible",
                f"{activity_type} is not open to {policy.tier_of(tier)}-tier partners (open to: "
                f"{', '.join(sorted(allowed))})",
            )
        ]
    return []
