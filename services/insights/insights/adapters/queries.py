"""Reads of the insights read models (one connection per request)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from incentive_kernel.paging import Page
from servicekit.keyset import fetch_page
from sqlalchemy import ColumnElement, and_, or_, select, true
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
from ..domain.indicators import Facts
from .tables import deal_stages, deals, engagements, mdf_requests, mdf_results, mdf_spend, partners, reward_programs

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
        page = await fetch_page(self.conn, stmt, partners.c.partner_id, after=after, limit=limit, convert=_partner)
        programs = await self._reward_programs([p.partner_id for p in page.items])
        items = [p.with_reward_programs(programs.get(p.partner_id, ())) for p in page.items]
        return Page(items, page.next_cursor)

    async def partner(self, partner_id: str) -> PartnerView | None:
        row = (await self.conn.execute(select(partners).where(partners.c.partner_id == partner_id))).first()
        if row is None:
            return None
        programs = await self._reward_programs([partner_id])
        return _partner(row).with_reward_programs(programs.get(partner_id, ()))

    async def profiles(self, scope: Scope | None = None) -> list[PartnerProfile]:
        stmt = select(partners).order_by(partners.c.partner_id)
        if scope is not None:
            stmt = stmt.where(_in_scope(partners.c.partner_id, scope))
        rows = (await self.conn.execute(stmt)).all()
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

    async def facts(self, scope: Scope, currency: str, since: date, until: date) -> Facts:
        relevant = and_(
            _in_scope(deals.c.partner_id, scope),
            deals.c.currency == currency,
            deals.c.registered_on <= until,
            or_(deals.c.closed_on.is_(None), deals.c.closed_on >= since),
        )
        reached: dict[str, dict[str, date]] = defaultdict(dict)
        stage_rows = await self.conn.execute(
            select(deal_stages).where(deal_stages.c.deal_id.in_(select(deals.c.deal_id).where(relevant)))
        )
        for s in stage_rows:
            reached[s.deal_id][s.stage] = s.reached_on
        deal_rows = await self.conn.execute(select(deals).where(relevant).order_by(deals.c.deal_id))
        window = (scope, since, until)
        return Facts(
            deals=[_deal(r, reached[r.deal_id]) for r in deal_rows],
            mdf_requests=[_request(r) for r in await self._rows(mdf_requests, "submitted_on", currency, *window)],
            mdf_spend=[_spend(r) for r in await self._rows(mdf_spend, "disbursed_on", currency, *window)],
            mdf_results=[_result(r) for r in await self._rows(mdf_results, "reported_on", currency, *window)],
            engagements=[_engagement(r) for r in await self._rows(engagements, "occurred_on", None, *window)],
        )

    async def open_deals(self, partner_id: str, after: str | None, limit: int) -> Page[DealFact]:
        stmt = select(deals).where(deals.c.partner_id == partner_id, deals.c.stage.in_(OPEN_STAGES))
        page = await fetch_page(self.conn, stmt, deals.c.deal_id, after=after, limit=limit, convert=lambda r: r)
        reached: dict[str, dict[str, date]] = defaultdict(dict)
        ids = [r.deal_id for r in page.items]
        for s in await self.conn.execute(select(deal_stages).where(deal_stages.c.deal_id.in_(ids))):
            reached[s.deal_id][s.stage] = s.reached_on
        return Page([_deal(r, reached[r.deal_id]) for r in page.items], page.next_cursor)

    async def _rows(
        self, table: Any, day: str, currency: str | None, scope: Scope, since: date, until: date
    ) -> list[Row[Any]]:
        stmt = select(table).where(_in_scope(table.c.partner_id, scope), table.c[day].between(since, until))
        if currency is not None:
            stmt = stmt.where(table.c.currency == currency)
        return list((await self.conn.execute(stmt.order_by(*table.primary_key.columns))).all())

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


def _partner(r: Row[Any]) -> PartnerView:
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


def _deal(r: Row[Any], reached: dict[str, date]) -> DealFact:
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


def _request(r: Row[Any]) -> MdfRequestFact:
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


def _spend(r: Row[Any]) -> MdfSpendFact:
    return MdfSpendFact(r.disbursement_id, r.partner_id, r.request_id, r.currency, r.amount, r.disbursed_on)


def _result(r: Row[Any]) -> MdfResultFact:
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


def _engagement(r: Row[Any]) -> EngagementFact:
    return EngagementFact(r.engagement_id, r.partner_id, r.kind, r.occurred_on)
