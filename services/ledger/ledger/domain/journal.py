"""Journal entries: double-entry postings that sum to zero per currency."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from .explanation import Explanation, RecordedExplanation
from .frozen import quick_init


class UnbalancedEntry(ValueError):
    pass


@quick_init
@dataclass(frozen=True)
class Posting:
    account: str
    currency: str
    amount: Decimal  # debit positive, credit negative

    def __post_init__(self) -> None:
        if self.amount.is_zero() and self.amount.is_signed():
            object.__setattr__(self, "amount", -self.amount)  # one zero: -0.00 hashes differently


@quick_init
@dataclass(frozen=True)
class JournalEntry:
    """One immutable entry. ``explanation`` records inputs and computation (why this amount): a typed
    value per kind of entry (explanation.py), stored and hashed as its ``document()``."""

    entry_id: str
    partner_id: str
    kind: str
    caused_by: str
    effective_at: datetime
    rule_id: str
    rule_version: int
    postings: tuple[Posting, ...]
    explanation: Explanation = field(default_factory=RecordedExplanation)
    reverses: str | None = None
    stream: str = "registration"
    deal_id: str | None = None

    def __post_init__(self) -> None:
        assert_balanced(self.postings)


def assert_balanced(postings: tuple[Posting, ...]) -> None:
    if not postings:
        raise UnbalancedEntry("an entry needs postings")
    currency = postings[0].currency
    total = Decimal(0)
    for posting in postings:
        if posting.currency != currency:
            break
        total += posting.amount
    else:
        if not total:
            return  # the usual entry: one currency, balanced (checked in one pass, without building totals)
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for posting in postings:
        totals[posting.currency] += posting.amount
    unbalanced = {c: t for c, t in totals.items() if t != 0}
    if unbalanced:
        raise UnbalancedEntry(f"postings do not sum to zero: {unbalanced}")


def transfer(debit: str, credit: str, currency: str, amount: Decimal) -> tuple[Posting, Posting]:
    """Two postings moving ``amount`` from ``credit`` to ``debit``."""
    return Posting(debit, currency, amount), Posting(credit, currency, -amount)
