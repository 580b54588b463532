"""What-if comparison: what partners earned under the rules in force against what they would have
earned under a draft, per partner and currency, from the same history.

Earnings are read from the program side of reward entries (and of their clawbacks), so the held,
payable or paid state of the money never matters: rewards (paid out or payable), capped amounts
(recorded above a limit) and the MDF accrued.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from . import accounts
from .reconciliation import REWARD_EXPENSES

EARNING_KINDS = frozenset({"rebate", "growth_accelerator", "registration_bonus", "spiff", "mdf_accrual", "clawback"})
ZERO = Decimal(0)


@dataclass(frozen=True)
class Earned:
    rewards: Decimal = ZERO
    capped: Decimal = ZERO
    mdf_accrual: Decimal = ZERO

    def __add__(self, other: Earned) -> Earned:
        return Earned(self.rewards + other.rewards, self.capped + other.capped, self.mdf_accrual + other.mdf_accrual)

    def __sub__(self, other: Earned) -> Earned:
        return Earned(self.rewards - other.rewards, self.capped - other.capped, self.mdf_accrual - other.mdf_accrual)


Row = tuple[str, str, str, str, Decimal]  # partner, entry kind, account, currency, amount (debit positive)


def earned(rows: Iterable[Row]) -> dict[tuple[str, str], Earned]:
    """Earnings per (partner, currency) from the postings of earning entries."""
    totals: dict[tuple[str, str], Earned] = defaultdict(Earned)
    for partner_id, kind, account, currency, amount in rows:
        if kind not in EARNING_KINDS or not account.startswith("program:"):
            continue
        purpose = accounts.purpose_of(account)
        if purpose in REWARD_EXPENSES:
            totals[(partner_id, currency)] += Earned(rewards=amount)
        elif purpose == accounts.REWARDS_CAPPED:
            totals[(partner_id, currency)] += Earned(capped=amount)
        elif purpose == accounts.MDF_ACCRUAL_EXPENSE:
            totals[(partner_id, currency)] += Earned(mdf_accrual=amount)
    return dict(totals)


@dataclass(frozen=True)
class PartnerDifference:
    partner_id: str
    currency: str
    actual: Earned
    simulated: Earned

    @property
    def difference(self) -> Earned:
        return self.simulated - self.actual


def compare(actual: dict[tuple[str, str], Earned], simulated: dict[tuple[str, str], Earned]) -> list[PartnerDifference]:
    """Every partner and currency either side knows, in partner order."""
    return [
        PartnerDifference(p, c, actual.get((p, c), Earned()), simulated.get((p, c), Earned()))
        for p, c in sorted(set(actual) | set(simulated))
    ]
