"""Partners in PostgreSQL (SQLAlchemy Core)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from incentive_contracts.events.partner import Contact, PartnerType
from servicekit.keyset import fetch_page
from servicekit.pagination import decode_cursor
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from ..application.ports import Page, PartnerQuery
from ..domain.partner import Partner
from .tables import partners


class SqlPartners:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get(self, partner_id: str, *, for_update: bool = False) -> Partner | None:
        stmt = select(partners).where(partners.c.partner_id == partner_id)
        if for_update:
            stmt = stmt.with_for_update()
        row = (await self.conn.execute(stmt)).first()
        return None if row is None else to_partner(row._mapping)

    async def get_many(self, partner_ids: Iterable[str]) -> dict[str, Partner]:
        ids = sorted(set(partner_ids))
        if not ids:
            return {}
        rows = (await self.conn.execute(select(partners).where(partners.c.partner_id.in_(ids)))).all()
        return {row.partner_id: to_partner(row._mapping) for row in rows}

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
            "contacts": [c.model_dump(mode="json") for c in partner.contacts],
            "deactivated_on": partner.deactivated_on,
            "deactivation_reason": partner.deactivation_reason,
            "tier_effective_at": partner.tier_effective_at,
        }
        stmt = insert(partners).values(**values)
        await self.conn.execute(stmt.on_conflict_do_update(index_elements=["partner_id"], set_=values))

    async def list(self, query: PartnerQuery) -> Page[Partner]:
        stmt = select(partners)
        if query.partner_type is not None:
            stmt = stmt.where(partners.c.partner_type == query.partner_type.value)
        if query.region is not None:
            stmt = stmt.where(partners.c.region == query.region)
        if query.tier is not None:
            stmt = stmt.where(partners.c.tier == query.tier)
        if query.active is not None:
            stmt = stmt.where(partners.c.active == query.active)
        after = decode_cursor(query.cursor)
        key = None if after is None else str(after)
        return await fetch_page(
            self.conn,
            stmt,
            partners.c.partner_id,
            after=key,
            limit=query.limit,
            convert=lambda r: to_partner(r._mapping),
        )


def to_partner(row: Any) -> Partner:
    return Partner(
        partner_id=row["partner_id"],
        name=row["name"],
        partner_type=PartnerType(row["partner_type"]),
        region=row["region"],
        vertical=row["vertical"],
        domain=row["domain"],
        program_id=row["program_id"],
        enrolled_on=row["enrolled_on"],
        contacts=tuple(Contact.model_validate(c) for c in row["contacts"] or []),
        active=row["active"],
        deactivated_on=row["deactivated_on"],
        deactivation_reason=row["deactivation_reason"],
        tier=row["tier"],
        tier_effective_at=row["tier_effective_at"],
    )
