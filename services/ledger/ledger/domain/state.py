"""What the projector keeps between events: per partner and per deal. Immutable values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .accounts import REBATES_HELD, REBATES_PAYABLE, partner_account
from .chain import ChainHead
from .evolve import evolve
from .frozen import quick_init
from .journal import JournalEntry

REGISTRATION_STREAM = "registration"
MDF_STREAM = "mdf"
PAYOUT_STREAM = "payout"  # entries the ledger posts itself: payout batches and their acknowledgements
GOVERNANCE_STREAM = "governance"  # entries governance decided: dispute compensations


def stream_of(event_type: str) -> str:
    """The producing stream of an event type (one hash chain per partner stream)."""
    if event_type.startswith("mdf."):
        return MDF_STREAM
    return GOVERNANCE_STREAM if event_type.startswith("governance.") else REGISTRATION_STREAM


@quick_init
@dataclass(frozen=True)
class QuarterTotals:
    won: Decimal = Decimal(0)  # net won revenue of deals closed in the quarter
    rewarded: Decimal = Decimal(0)  # rewards paid (not capped) for those deals, net of clawbacks


@quick_init
@dataclass(frozen=True)
class PartnerLedger:
    partner_id: str
    program_id: str | None = None
    enrolled_on: date | None = None
    tier: str | None = None
    tier_since: date | None = None
    reviewed_through: date | None = None
    revenue: tuple[tuple[date, str, Decimal], ...] = ()  # won revenue (net of reversals) by close date
    points: tuple[tuple[date, int], ...] = ()  # engagement points by activity date
    quarters: tuple[tuple[str, str, QuarterTotals], ...] = ()  # (quarter, currency, totals)
    chains: tuple[tuple[str, ChainHead], ...] = ()  # (stream, head)
    # What is payable now per currency (credit-normal rebates_payable). Not rule state: the store
    # loads it from the balances, and it moves with every entry posted (payouts included).
    payable: tuple[tuple[str, Decimal], ...] = ()

    @property
    def enrolled(self) -> bool:
        return self.program_id is not None

    def chain(self, stream: str) -> ChainHead:
        for name, head in reversed(self.chains):  # the last, as ``dict(self.chains).get`` would find it
            if name == stream:
                return head
        return ChainHead()

    def with_head(self, stream: str, head: ChainHead) -> PartnerLedger:
        heads = dict(self.chains)
        heads[stream] = head
        return evolve(self, chains=tuple(sorted(heads.items())))

    def payable_in(self, currency: str) -> Decimal:
        return dict(self.payable).get(currency, Decimal(0))

    def with_payable(self, currency: str, amount: Decimal) -> PartnerLedger:
        amounts = dict(self.payable)
        amounts[currency] = amount
        return evolve(self, payable=tuple(sorted(amounts.items())))

    def quarter(self, quarter: str, currency: str) -> QuarterTotals:
        for q, c, totals in self.quarters:
            if q == quarter and c == currency:
                return totals
        return QuarterTotals()


@dataclass(frozen=True)
class WonDeal:
    event_id: str
    product_line: str
    currency: str
    amount: Decimal
    closed_on: date
    program_id: str
    program_version: int


@dataclass(frozen=True)
class RewardRecord:
    """One reward entry a deal produced, and how much of it was clawed back so far."""

    entry_id: str
    component: str  # rebate | growth_accelerator | registration_bonus | spiff:<id> | mdf_accrual
    debit_account: str  # the program account charged
    credit_account: str  # the partner account the reward sits in (an MDF accrual moves held -> available)
    paid: Decimal
    capped: Decimal
    clawed_paid: Decimal = Decimal(0)
    clawed_capped: Decimal = Decimal(0)

    @property
    def is_reward(self) -> bool:
        return self.component != "mdf_accrual"

    @property
    def outstanding(self) -> Decimal:
        return self.paid - self.clawed_paid


@quick_init
@dataclass(frozen=True)
class DealRecord:
    deal_id: str
    partner_id: str
    approved_on: date | None = None
    influence: tuple[tuple[str, date], ...] = ()  # (kind, occurred_on) recorded before the win
    flags: frozenset[str] = field(default_factory=frozenset)
    won: WonDeal | None = None
    reversed_amount: Decimal = Decimal(0)
    rewards: tuple[RewardRecord, ...] = ()
    held: bool = False
    hold_entry: str | None = None
    held_amount: Decimal = Decimal(0)  # what of the deal's rewards sits in rebates_held now
    lost_on: date | None = None  # a deal.lost (for pilot reports: win rates)

    @property
    def reward_account(self) -> str:
        """Purpose of the partner account the deal's rewards sit in now."""
        return REBATES_HELD if self.held else REBATES_PAYABLE


def track_payable(partner: PartnerLedger, entry: JournalEntry) -> PartnerLedger:
    """The partner after ``entry``: what is payable moves with every posting on rebates_payable."""
    payable_account = partner_account(partner.partner_id, REBATES_PAYABLE)
    for posting in entry.postings:
        if posting.account == payable_account:
            partner = partner.with_payable(posting.currency, partner.payable_in(posting.currency) - posting.amount)
    return partner


def after_entries(partner: PartnerLedger, posted: Sequence[tuple[JournalEntry, ChainHead]]) -> PartnerLedger:
    """``track_payable(partner.with_head(entry.stream, head), entry)`` of each (entry, its chain head) in
    turn, in one copy of the partner: the entries of one event (a won deal posts two or more) move it
    once. The projector runs it on every event's entries; ``tests/unit/test_ledger_hot_path.py`` holds
    it equal to those plain steps."""
    if not posted:
        return partner
    heads = dict(partner.chains)
    payable_account = partner_account(partner.partner_id, REBATES_PAYABLE)
    amounts = None
    for entry, head in posted:
        heads[entry.stream] = head
        for posting in entry.postings:
            if posting.account == payable_account:
                if amounts is None:
                    amounts = dict(partner.payable)
                amounts[posting.currency] = amounts.get(posting.currency, Decimal(0)) - posting.amount
    if amounts is None:
        return evolve(partner, chains=tuple(sorted(heads.items())))
    return evolve(partner, chains=tuple(sorted(heads.items())), payable=tuple(sorted(amounts.items())))
