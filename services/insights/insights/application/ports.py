"""What the insights use cases need from storage: the projection's writer and the indicator queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from incentive_kernel.paging import Page

from ..domain.facts import DealFact, EngagementFact, MdfRequestFact, MdfResultFact, MdfSpendFact, PartnerProfile
from ..domain.indicators import Facts


@dataclass(frozen=True)
class PartnerRecord:
    partner_id: str
    name: str
    partner_type: str
    program_id: str
    region: str
    vertical: str | None
    enrolled_on: date


class ReadModelWriter(Protocol):
    """The projection's writes. Every write is idempotent in effect for one event (the inbox already
    guarantees each event is applied once; a rebuild applies them again in the same order)."""

    async def known_partners(self, partner_ids: Iterable[str]) -> set[str]: ...
    async def enrol(self, partner: PartnerRecord) -> None: ...
    async def update_partner(self, partner: PartnerRecord) -> None: ...
    async def deactivate(self, partner_id: str, on: date) -> None: ...
    async def set_tier(self, partner_id: str, tier: str, since: date) -> None: ...
    async def register_deal(self, deal: DealFact) -> None: ...
    async def reach_stage(self, deal_id: str, stage: str, on: date, *, closing: bool = False) -> None: ...
    async def win_deal(self, deal_id: str, amount: Decimal, currency: str, on: date) -> None: ...
    async def reverse_won(self, deal_id: str, amount: Decimal) -> None: ...
    async def change_forecast(self, deal_id: str, amount: Decimal | None, close: date) -> None: ...
    async def record_engagement(self, engagement: EngagementFact) -> None: ...
    async def submit_mdf_request(self, request: MdfRequestFact) -> None: ...
    async def decide_mdf_request(self, request_id: str, status: str, approved: Decimal | None) -> None: ...
    async def record_mdf_spend(self, spend: MdfSpendFact) -> None: ...
    async def record_mdf_results(self, results: MdfResultFact) -> None: ...
    async def record_reward_program(self, partner_id: str, program_id: str, at: datetime) -> None: ...


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


class InsightsQueries(Protocol):
    async def partner_page(self, where: PartnerFilter, after: str | None, limit: int) -> Page[PartnerView]: ...
    async def partner(self, partner_id: str) -> PartnerView | None: ...
    async def profiles(self, scope: Scope | None = None) -> list[PartnerProfile]: ...
    async def facts(self, scope: Scope, currency: str, since: date, until: date) -> Facts: ...
    async def open_deals(self, partner_id: str, after: str | None, limit: int) -> Page[DealFact]: ...
