"""Worked examples for the handbook, computed by the ledger's own rules engine.

A made-up partner at a given tier registers a deal, has it approved and wins it, all on one day of
the version's validity; the ledger's ``decide`` prices it exactly as it would a real one, and the
example lists what the partner's accounts receive, entry by entry. Nothing is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal

from incentive_contracts.events.deal import DealApproved, DealRegistered, DealWon, InfluenceActivity
from incentive_contracts.money import Money
from incentive_contracts.payload import EventPayload

from ..domain.accounts import purpose_of
from ..domain.catalog import Catalog, ProgramVersion
from ..domain.journal import JournalEntry
from ..domain.outcome import EventMeta
from ..domain.projection import decide
from ..domain.state import DealRecord, PartnerLedger

EXAMPLE_PARTNER = "handbook-example-partner"


@dataclass(frozen=True)
class Credit:
    """What one entry of the example credited to one of the partner's accounts."""

    kind: str  # the entry kind: rebate, registration_bonus, spiff, growth_accelerator, mdf_accrual...
    account: str  # the partner account's purpose: rebates_payable, rebates_capped, mdf_available...
    amount: Decimal


@dataclass(frozen=True)
class WorkedExample:
    tier: str
    product_line: str
    amount: Decimal
    currency: str
    on: date
    credits: tuple[Credit, ...]

    def total(self, account: str) -> Decimal:
        return sum((c.amount for c in self.credits if c.account == account), Decimal(0))


def _events(pv: ProgramVersion, amount: Decimal, currency: str, product_line: str, on: date) -> list[EventPayload]:
    influence = pv.program.influence
    activities = (
        [InfluenceActivity(kind=(influence.kinds or ["joint_demo"])[0], occurred_on=on, evidence_ref="handbook")]
        if influence.required
        else []
    )
    money = Money.recorded(amount, currency)
    common = {"partner_id": EXAMPLE_PARTNER, "deal_id": "handbook-example-deal"}
    return [
        DealRegistered(
            **common,
            customer_name="Example Customer",
            product_line=product_line,
            expected_amount=money,
            expected_close=on,
            registered_on=on,
        ),
        DealApproved(**common, approved_on=on, approved_by="auto"),
        DealWon(**common, product_line=product_line, amount=money, closed_on=on, registered=True, influence=activities),
    ]


def _credits(entries: list[JournalEntry]) -> tuple[Credit, ...]:
    prefix = f"partner:{EXAMPLE_PARTNER}:"
    return tuple(
        Credit(entry.kind, purpose_of(posting.account), -posting.amount)
        for entry in entries
        for posting in entry.postings
        if posting.account.startswith(prefix) and posting.amount != 0
    )


def worked_example(
    pv: ProgramVersion, *, tier: str, amount: Decimal, currency: str, product_line: str, on: date
) -> WorkedExample:
    """A registered, approved and won deal of ``amount`` for a partner at ``tier``, priced by ``pv``."""
    partner = PartnerLedger(
        partner_id=EXAMPLE_PARTNER,
        program_id=pv.program_id,
        enrolled_on=on,
        tier=tier,
        tier_since=on,
        reviewed_through=on,
    )
    catalog = Catalog([pv])
    recorded_at = max(datetime.combine(on, time(12), UTC), pv.published_at)
    deals: dict[str, DealRecord] = {}
    entries: list[JournalEntry] = []
    for index, event in enumerate(_events(pv, amount, currency, product_line, on)):
        outcome = decide(partner, deals, event, EventMeta(f"handbook-example-{index}", recorded_at), catalog)
        partner = outcome.partner
        deals.update(outcome.deals)
        entries.extend(outcome.entries)
    return WorkedExample(tier, product_line, amount, currency, on, _credits(entries))
