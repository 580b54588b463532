"""SQLAlchemy Core repositories for partners and deals."""

from __future__ import annotations

from datetime import UTC, datetime

from incentive_contracts.events.partner import PartnerType
from incentive_contracts.money import Money
from incentive_contracts.payload import EventPayload
from servicekit.unit_of_work import UnitOfWork
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from ..domain.deal import Deal, Stage
from ..domain.partner import Partner
from .tables import deals, partners


class SqlPartners:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get(self, partner_id: str, *, for_update: bool = False) -> Partner | None:
        stmt = select(partners).where(partners.c.partner_id == partner_id)
        if for_update:
            stmt = stmt.with_for_update()
        row = (await self.conn.execute(stmt)).first()
        return None if row is None else _partner(row)

    async def save(self, partner: Partner) -> None:
        values = {
            "partner_id": partner.partner_id,
            "name": partner.name,
            "partner_type": partner.partner_type.value,
            "region": partner.region,
            "vertical": partner.vertical,
            "domain": partner.domain,
            "program_id": partner.program_id,
            "enrolled_on": partner.enrolled_on,
            "active": partner.active,
            "tier": partner.tier,
        }
        stmt = insert(partners).values(**values)
        await self.conn.execute(stmt.on_conflict_do_update(index_elements=["partner_id"], set_=values))


class SqlDeals:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get(self, deal_id: str, *, for_update: bool = False) -> Deal | None:
        stmt = select(deals).where(deals.c.deal_id == deal_id)
        if for_update:
            stmt = stmt.with_for_update()
        row = (await self.conn.execute(stmt)).first()
        return None if row is None else _deal(row)

    async def save(self, deal: Deal) -> None:
        values = {
            "deal_id": deal.deal_id,
            "partner_id": deal.partner_id,
            "customer_name": deal.customer_name,
            "customer_domain": deal.customer_domain,
            "product_line": deal.product_line,
            "currency": deal.expected_amount.currency,
            "expected_amount": deal.expected_amount.amount,
            "expected_close": deal.expected_close,
            "registered_on": deal.registered_on,
            "stage": deal.stage.value,
            "final_amount": deal.final_amount.amount if deal.final_amount else None,
            "closed_on": deal.closed_on,
        }
        stmt = insert(deals).values(**values)
        await self.conn.execute(stmt.on_conflict_do_update(index_elements=["deal_id"], set_=values))


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class SqlRegistrationUnit:
    """The application's RegistrationUnit over a servicekit unit of work."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self.partners = SqlPartners(uow.conn)
        self.deals = SqlDeals(uow.conn)
        self.clock = SystemClock()

    def publish(self, payload: EventPayload, *, time: datetime) -> str:
        return self.uow.publish(payload, time=time)


def _partner(row: Row) -> Partner:  # type: ignore[type-arg]
    return Partner(
        partner_id=row.partner_id,
        name=row.name,
        partner_type=PartnerType(row.partner_type),
        region=row.region,
        vertical=row.vertical,
        domain=row.domain,
        program_id=row.program_id,
        enrolled_on=row.enrolled_on,
        active=row.active,
        tier=row.tier,
    )


def _deal(row: Row) -> Deal:  # type: ignore[type-arg]
    return Deal(
        deal_id=row.deal_id,
        partner_id=row.partner_id,
        customer_name=row.customer_name,
        customer_domain=row.customer_domain,
        product_line=row.product_line,
        expected_amount=Money(amount=row.expected_amount, currency=row.currency),
        expected_close=row.expected_close,
        registered_on=row.registered_on,
        stage=Stage(row.stage),
        final_amount=Money(amount=row.final_amount, currency=row.currency) if row.final_amount is not None else None,
        closed_on=row.closed_on,
    )
