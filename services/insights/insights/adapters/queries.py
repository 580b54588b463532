"""Reads of the insights read models (one connection per request)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from incentive_kernel.paging import Page
from servicekit.keyset import fetch_page
from sqlalchemy import ARRAY, ColumnElement, Select, Text, and_, cast, func, or_, select, true
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from ..application.ports import PartnerFilter, PartnerView, Scope
from ..domain.facts import (
    OPEN_STAGES,
    DealFact,
    EngagementFact,
    MdfRequestFact,
    MdfResultFact,
    MdfSpendFact,
    PartnerProfile,
)
from ..domain.monthly import NO_CURRENCY, Key, Monthly, month_start
from .tables import EVERY_PARTNER, deal_stages, deals, monthly, partners, reward_programs
from .versions import read_model_version

CUMULATIVE = ("pipeline", "open")

DIMENSION_COLUMNS = {
    "partner": partners.c.partner_id,
    "tier": partners.c.tier,
    "region": partners.c.region,
    "vertical": partners.c.vertical,
    "program": partners.c.program_id,
}


def _in_scope(partner_column: Any, scope: Scope) -> ColumnElement[bool]:
    if scope.dimension == "all":
        return true()
    if scope.dimension == "partner":
        return partner_column == scope.value  # type: ignore[no-any-return]
    column = DIMENSION_COLUMNS[scope.dimension]
    return partner_column.in_(select(partners.c.partner_id).where(column == scope.value))  # type: ignore[no-any-return]


class SqlInsightsQueries:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def version(self) -> int:
        return await read_model_version(self.conn)

    async def partner_page(self, where: PartnerFilter, after: str | None, limit: int) -> Page[PartnerView]:
        conditions = [
            column == value
            for column, value in (
                (partners.c.partner_id, where.partner_id),
                (partners.c.tier, where.tier),
                (partners.c.region, where.region),
                (partners.c.vertical, where.vertical),
                (partners.c.program_id, where.program_id),
            )
            if value is not None
        ]
        stmt = select(partners).where(and_(true(), *conditions))
        page = await fetch_page(self.conn, stmt, partners.c.partner_id, after=after, limit=limit, convert=partner_view)
        programs = await self._reward_programs([p.partner_id for p in page.items])
        items = [p.with_reward_programs(programs.get(p.partner_id, ())) for p in page.items]
        return Page(items, page.next_cursor)

    async def partner(self, partner_id: str) -> PartnerView | None:
        row = (await self.conn.execute(select(partners).where(partners.c.partner_id == partner_id))).first()
        if row is None:
            return None
        programs = await self._reward_programs([partner_id])
        return partner_view(row).with_reward_programs(programs.get(partner_id, ()))

    async def enrolment_dates(self, scope: Scope) -> list[date]:
        stmt = select(partners.c.enrolled_on).where(_in_scope(partners.c.partner_id, scope))
        return list((await self.conn.execute(stmt)).scalars())

    async def profiles(self) -> list[PartnerProfile]:
        rows = (await self.conn.execute(select(partners).order_by(partners.c.partner_id))).all()
        programs = await self._reward_programs(None)
        return [
            PartnerProfile(
                partner_id=r.partner_id,
                name=r.name,
                program_id=r.program_id,
                region=r.region,
                vertical=r.vertical,
                tier=r.tier,
                enrolled_on=r.enrolled_on,
                reward_programs=frozenset(programs.get(r.partner_id, ())),
            )
            for r in rows
        ]

    async def monthly(self, scope: Scope, currency: str, since: date, until: date) -> Monthly:
        stmt = _sums(currency, since, until, [])
        if scope.dimension == "all":
            stmt = stmt.where(monthly.c.partner_id == EVERY_PARTNER)
        else:
            stmt = stmt.where(monthly.c.partner_id != EVERY_PARTNER, _in_scope(monthly.c.partner_id, scope))
        return {(r.currency, r.month, r.metric, r.key): r.value for r in await self.conn.execute(stmt)}

    async def monthly_by_group(
        self, members: Mapping[str, Sequence[str]], currency: str, since: date, until: date
    ) -> dict[str, Monthly]:
        pairs = [(pid, group) for group, ids in members.items() for pid in ids]
        groups = (
            func.unnest(cast([p for p, _ in pairs], ARRAY(Text)), cast([g for _, g in pairs], ARRAY(Text)))
            .table_valued("partner_id", "grp")
            .render_derived(name="groups")
        )
        stmt = _sums(currency, since, until, [groups.c.grp]).join_from(
            monthly, groups, groups.c.partner_id == monthly.c.partner_id
        )
        out: dict[str, dict[Key, Decimal]] = {group: {} for group in members}
        for r in await self.conn.execute(stmt):
            out[r.grp][(r.currency, r.month, r.metric, r.key)] = r.value
        return dict(out)

    async def open_deals(self, partner_id: str, after: str | None, limit: int) -> Page[DealFact]:
        stmt = select(deals).where(deals.c.partner_id == partner_id, deals.c.stage.in_(OPEN_STAGES))
        page = await fetch_page(self.conn, stmt, deals.c.deal_id, after=after, limit=limit, convert=lambda r: r)
        reached: dict[str, dict[str, date]] = defaultdict(dict)
        ids = [r.deal_id for r in page.items]
        for s in await self.conn.execute(select(deal_stages).where(deal_stages.c.deal_id.in_(ids))):
            reached[s.deal_id][s.stage] = s.reached_on
        return Page([deal_fact(r, reached[r.deal_id]) for r in page.items], page.next_cursor)

    async def _reward_programs(self, partner_ids: list[str] | None) -> dict[str, tuple[str, ...]]:
        stmt = select(reward_programs.c.partner_id, reward_programs.c.program_id).order_by(
            reward_programs.c.partner_id, reward_programs.c.program_id
        )
        if partner_ids is not None:
            stmt = stmt.where(reward_programs.c.partner_id.in_(partner_ids))
        found: dict[str, list[str]] = defaultdict(list)
        for row in await self.conn.execute(stmt):
            found[row.partner_id].append(row.program_id)
        return {k: tuple(v) for k, v in found.items()}


def _sums(currency: str, since: date, until: date, groups: list[Any]) -> Select[Any]:
    """Monthly sums in ``currency`` (and without one) up to ``until``: from ``since`` on, except the
    pipeline's changes, whose sum from the beginning is the pipeline at a month's end."""
    columns = [*groups, monthly.c.currency, monthly.c.month, monthly.c.metric, monthly.c.key]
    return (
        select(*columns, func.sum(monthly.c.value).label("value"))
        .where(
            monthly.c.currency.in_([currency, NO_CURRENCY]),
            monthly.c.month <= until,
            or_(monthly.c.metric.in_(CUMULATIVE), monthly.c.month >= month_start(since)),
        )
        .group_by(*columns)
    )


def partner_view(r: Row[Any]) -> PartnerView:
    return PartnerView(
        partner_id=r.partner_id,
        name=r.name,
        partner_type=r.partner_type,
        program_id=r.program_id,
        region=r.region,
        vertical=r.vertical,
        tier=r.tier,
        tier_since=r.tier_since,
        enrolled_on=r.enrolled_on,
        deactivated_on=r.deactivated_on,
    )


def deal_fact(r: Row[Any], reached: dict[str, date]) -> DealFact:
    return DealFact(
        deal_id=r.deal_id,
        partner_id=r.partner_id,
        currency=r.currency,
        expected_amount=Decimal(r.expected_amount),
        expected_close=r.expected_close,
        registered_on=r.registered_on,
        stage=r.stage,
        won_amount=None if r.won_amount is None else Decimal(r.won_amount),
        closed_on=r.closed_on,
        reached=reached,
    )


def request_fact(r: Row[Any]) -> MdfRequestFact:
    return MdfRequestFact(
        r.request_id,
        r.partner_id,
        r.activity_type,
        r.currency,
        r.requested_amount,
        r.approved_amount,
        r.status,
        r.submitted_on,
    )


def spend_fact(r: Row[Any]) -> MdfSpendFact:
    return MdfSpendFact(r.disbursement_id, r.partner_id, r.request_id, r.currency, r.amount, r.disbursed_on)


def result_fact(r: Row[Any]) -> MdfResultFact:
    return MdfResultFact(
        r.request_id,
        r.partner_id,
        r.activity_type,
        r.currency,
        r.spend,
        r.registrations,
        r.attendees,
        r.leads,
        r.opportunities_influenced,
        r.reported_on,
    )


def engagement_fact(r: Row[Any]) -> EngagementFact:
    return EngagementFact(r.engagement_id, r.partner_id, r.kind, r.occurred_on)
