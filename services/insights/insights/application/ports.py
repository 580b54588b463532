"""What the insights use cases need from storage: the projection's store and the indicator queries."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from incentive_kernel.paging import Page

from ..domain.facts import DealFact, EngagementFact, MdfRequestFact, MdfResultFact, MdfSpendFact, PartnerProfile
from ..domain.monthly import Key, Monthly
from .memo import ReadModelVersion


@dataclass(frozen=True)
class Referenced:
    """The ids a batch of events names: what the projection loads before folding the batch."""

    partner_ids: frozenset[str]
    deal_ids: frozenset[str]
    request_ids: frozenset[str]
    engagement_ids: frozenset[str] = frozenset()
    disbursement_ids: frozenset[str] = frozenset()


@dataclass
class ReadModelRows:
    """Rows of the read models, by key: loaded before a batch, or changed by it (to be saved)."""

    partners: dict[str, PartnerView] = field(default_factory=dict)
    # The fields a batch changed per partner: only those are written (a partner's enrolment and its
    # tier come from two topics, which two consumer replicas may apply at the same time).
    partner_fields: dict[str, set[str]] = field(default_factory=dict)
    deals: dict[str, DealFact] = field(default_factory=dict)
    requests: dict[str, MdfRequestFact] = field(default_factory=dict)
    results: dict[str, MdfResultFact] = field(default_factory=dict)
    stages: dict[tuple[str, str], date] = field(default_factory=dict)  # (deal, stage) -> first reached
    engagements: dict[str, EngagementFact] = field(default_factory=dict)
    spend: dict[str, MdfSpendFact] = field(default_factory=dict)
    reward_programs: dict[tuple[str, str], datetime] = field(default_factory=dict)  # (partner, program)
    monthly: dict[tuple[str, Key], Decimal] = field(default_factory=dict)  # (partner, sum) -> what to add


class ReadModelStore(Protocol):
    """The projection's storage: one read before a batch, one write after it (a few statements)."""

    async def load(self, referenced: Referenced) -> ReadModelRows: ...
    async def save(self, changed: ReadModelRows) -> None:
        """Upsert the changed partners, deals, requests and results; add stages (the first day a deal
        reached one is kept), engagements, disbursements and reward programs not stored yet; add the
        monthly changes to the monthly sums."""
        ...

    async def note_change(self) -> None:
        """Count a batch that changed the read models (their version, see :mod:`.memo`)."""
        ...


@dataclass(frozen=True)
class Scope:
    """Which partners an indicator query covers: one dimension's value (``all`` for the whole book)."""

    dimension: str  # all | partner | tier | region | vertical | program
    value: str | None = None


@dataclass(frozen=True)
class PartnerFilter:
    partner_id: str | None = None
    tier: str | None = None
    region: str | None = None
    vertical: str | None = None
    program_id: str | None = None


@dataclass(frozen=True)
class PartnerView:
    """A partner as the insights read models know it (directory, tier, programs rewarded under)."""

    partner_id: str
    name: str
    partner_type: str
    program_id: str
    region: str
    vertical: str | None
    tier: str | None
    tier_since: date | None
    enrolled_on: date
    deactivated_on: date | None
    reward_programs: tuple[str, ...] = ()

    def with_reward_programs(self, programs: Iterable[str]) -> PartnerView:
        return replace(self, reward_programs=tuple(programs))


class InsightsQueries(ReadModelVersion, Protocol):
    async def partner_page(self, where: PartnerFilter, after: str | None, limit: int) -> Page[PartnerView]: ...
    async def partner(self, partner_id: str) -> PartnerView | None: ...
    async def profiles(self) -> list[PartnerProfile]: ...
    async def enrolment_dates(self, scope: Scope) -> list[date]: ...
    async def monthly(self, scope: Scope, currency: str, since: date, until: date) -> Monthly:
        """The scope's monthly sums in ``currency`` (and those without one): every month up to ``until``
        for the pipeline, the months from ``since`` for the rest."""
        ...

    async def monthly_by_group(
        self, members: Mapping[str, Sequence[str]], currency: str, since: date, until: date
    ) -> dict[str, Monthly]:
        """:meth:`monthly` of each group of partners (group -> its partner ids)."""
        ...

    async def open_deals(self, partner_id: str, after: str | None, limit: int) -> Page[DealFact]: ...
