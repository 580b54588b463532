"""The partner directory (``mdf_partners``), filled by the consumer from the registration topic."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import Column, Date, DateTime, MetaData, Table, Text, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from ..application.partner_directory import KnownPartner

mdf_partners = Table(
    "mdf_partners",
    MetaData(),
    Column("partner_id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("program_id", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("enrolled_on", Date, nullable=False),
    Column("deactivated_on", Date),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)


class SqlPartnerDirectory:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def enrol(self, partner: KnownPartner) -> None:
        values = {
            "partner_id": partner.partner_id,
            "name": partner.name,
            "program_id": partner.program_id,
            "status": "active" if partner.active else "deactivated",
            "enrolled_on": partner.enrolled_on,
        }
        stmt = insert(mdf_partners).values(**values)
        stmt = stmt.on_conflict_do_update(
            index_elements=["partner_id"],
            set_={**{k: stmt.excluded[k] for k in values if k != "partner_id"}, "updated_at": func.now()},
        )
        await self.conn.execute(stmt)

    async def update(self, partner_id: str, name: str, program_id: str) -> bool:
        result = await self.conn.execute(
            update(mdf_partners)
            .where(mdf_partners.c.partner_id == partner_id)
            .values(name=name, program_id=program_id, updated_at=func.now())
        )
        return bool(result.rowcount)

    async def deactivate(self, partner_id: str, on: date) -> bool:
        result = await self.conn.execute(
            update(mdf_partners)
            .where(mdf_partners.c.partner_id == partner_id)
            .values(status="deactivated", deactivated_on=on, updated_at=func.now())
        )
        return bool(result.rowcount)

    async def known(self, partner_ids: Sequence[str]) -> set[str]:
        if not partner_ids:
            return set()
        rows = await self.conn.execute(
            select(mdf_partners.c.partner_id).where(mdf_partners.c.partner_id.in_(sorted(set(partner_ids))))
        )
        return set(rows.scalars())
