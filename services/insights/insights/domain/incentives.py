"""Which incentive a ledger entry's cost belongs to, read from the entry itself.

The ledger posts one entry per reward component of a won deal, debiting the program's expense
account of that component (``program:{p}:{component}_expense``) with the ``rule_id``
``{p}/{component}`` (``rebate``, ``growth_accelerator``, ``registration_bonus``, ``spiff:<id>``,
``mdf_accrual``). Clawbacks and confirmed flags post negative expense on the same accounts, caused by
a later event of the same deal. Allocated MDF is expensed on ``vendor:marketing:mdf_expense``.

An incentive is named ``{program}/{component}``; rebates are split by the deal's product line
(``growth-2027/rebate:cloud``), SPIFFs keep their id (``growth-2027/spiff:q1-security``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

VENDOR_MDF_EXPENSE = "vendor:marketing:mdf_expense"
MDF_ALLOCATION = "vendor/mdf_allocation"
REWARD_KINDS = frozenset({"rebate", "growth_accelerator", "registration_bonus", "spiff", "mdf_accrual"})


@dataclass(frozen=True)
class Posting:
    account: str
    currency: str
    amount: Decimal


@dataclass(frozen=True)
class EntryFacts:
    """What insights keeps of a ``ledger.entry_posted`` event."""

    entry_id: str
    partner_id: str
    kind: str
    rule_id: str
    caused_by: str
    quarter: str
    postings: tuple[Posting, ...]


@dataclass(frozen=True)
class DealFacts:
    """The won deal an entry's causing event belongs to."""

    deal_id: str
    product_line: str
    won_quarter: str


@dataclass(frozen=True)
class RewardCost:
    """The cost one entry put on one incentive: positive for a reward, negative for a clawback.

    ``quarter`` is the quarter the deal was won (a clawback counts against the quarter of the win it
    takes back), or the entry's own quarter when it belongs to no deal (MDF allocations)."""

    entry_id: str
    partner_id: str
    incentive: str
    deal_id: str | None
    quarter: str
    currency: str
    amount: Decimal


def _expense_group(account: str) -> tuple[str, str] | None:
    """``program:p:spiff_expense`` -> ``("p", "spiff")``; anything else None."""
    parts = account.split(":")
    if len(parts) != 3 or parts[0] != "program" or not parts[2].endswith("_expense"):
        return None
    return parts[1], parts[2].removesuffix("_expense")


def _incentive(program: str, component: str, deal: DealFacts | None) -> str:
    if component == "rebate" and deal is not None:
        return f"{program}/rebate:{deal.product_line}"
    return f"{program}/{component}"


def resolve_costs(
    entries: Iterable[EntryFacts],
    deal_of_event: Mapping[str, str],
    deals: Mapping[str, DealFacts],
) -> list[RewardCost]:
    """Every entry's expense postings as costs of named incentives.

    ``deal_of_event`` maps a causing event id to its deal; ``deals`` holds the won deals. A clawback
    of a group (``spiff``) is put on the deal's one incentive of that group when there is exactly one,
    else on the group (``p/spiff``)."""
    entries = list(entries)
    earned: dict[tuple[str, str, str], set[str]] = {}  # (deal, program, group) -> incentives
    for entry in entries:
        deal = deals.get(deal_of_event.get(entry.caused_by, ""))
        if entry.kind in REWARD_KINDS and deal is not None and "/" in entry.rule_id:
            program, component = entry.rule_id.split("/", 1)
            group = component.split(":", 1)[0]
            earned.setdefault((deal.deal_id, program, group), set()).add(_incentive(program, component, deal))
    costs: list[RewardCost] = []
    for entry in entries:
        deal = deals.get(deal_of_event.get(entry.caused_by, ""))
        for posting in entry.postings:
            incentive = _posting_incentive(entry, posting, deal, earned)
            if incentive is None or posting.amount == 0:
                continue
            quarter = deal.won_quarter if deal is not None else entry.quarter
            deal_id = deal.deal_id if deal is not None else None
            costs.append(
                RewardCost(
                    entry.entry_id, entry.partner_id, incentive, deal_id, quarter, posting.currency, posting.amount
                )
            )
    return costs


def _posting_incentive(
    entry: EntryFacts, posting: Posting, deal: DealFacts | None, earned: Mapping[tuple[str, str, str], set[str]]
) -> str | None:
    if posting.account == VENDOR_MDF_EXPENSE:
        return MDF_ALLOCATION
    group = _expense_group(posting.account)
    if group is None:
        return None
    program, component = group
    if entry.kind in REWARD_KINDS and entry.rule_id.startswith(f"{program}/"):
        rule_component = entry.rule_id.split("/", 1)[1]
        if rule_component.split(":", 1)[0] == component:
            return _incentive(program, rule_component, deal)
    if deal is not None:
        known = earned.get((deal.deal_id, program, component), set())
        if len(known) == 1:
            return next(iter(known))
    return _incentive(program, component, deal)
