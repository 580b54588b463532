"""Notices in PostgreSQL: the ledger's partners and published versions, and the acknowledgements."""

from __future__ import annotations

from datetime import date
from typing import Any

from incentive_contracts.events.partner import PartnerNoticeAcknowledged
from servicekit.unit_of_work import UnitOfWork
from sqlalchemy import Row, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from ..application.notices import Acknowledgement
from ..domain.catalog import ProgramVersion
from .programs import published_versions
from .tables import ledger_partners, notice_acknowledgements

ACKS = notice_acknowledgements.c


def _ack(row: Row[Any]) -> Acknowledgement:
    return Acknowledgement(
        partner_id=row.partner_id,
        program_id=row.program_id,
        version=row.program_version,
        acknowledged_by=row.acknowledged_by,
        acknowledged_at=row.acknowledged_at,
    )


class SqlNoticeBook:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def published(self, program_id: str) -> list[ProgramVersion]:
        return await published_versions(self.conn, [program_id])

    async def program_of(self, partner_id: str) -> str | None:
        stmt = select(ledger_partners.c.program_id).where(ledger_partners.c.partner_id == partner_id)
        program_id: str | None = (await self.conn.execute(stmt)).scalar_one_or_none()
        return program_id

    async def partners_of(self, program_id: str) -> list[str]:
        stmt = (
            select(ledger_partners.c.partner_id)
            .where(ledger_partners.c.program_id == program_id)
            .order_by(ledger_partners.c.partner_id)
        )
        return list((await self.conn.execute(stmt)).scalars())

    async def acknowledgements(self, program_id: str, version: int) -> list[Acknowledgement]:
        stmt = select(notice_acknowledgements).where(ACKS.program_id == program_id, ACKS.program_version == version)
        return [_ack(r) for r in (await self.conn.execute(stmt)).all()]

    async def acknowledgement(self, partner_id: str, program_id: str, version: int) -> Acknowledgement | None:
        stmt = select(notice_acknowledgements).where(
            ACKS.program_id == program_id, ACKS.program_version == version, ACKS.partner_id == partner_id
        )
        row = (await self.conn.execute(stmt)).first()
        return _ack(row) if row is not None else None

    async def add_acknowledgement(self, acknowledgement: Acknowledgement) -> None:
        stmt = (
            insert(notice_acknowledgements)
            .values(
                program_id=acknowledgement.program_id,
                program_version=acknowledgement.version,
                partner_id=acknowledgement.partner_id,
                acknowledged_by=acknowledgement.acknowledged_by,
                acknowledged_at=acknowledgement.acknowledged_at,
            )
            .on_conflict_do_nothing()
        )
        await self.conn.execute(stmt)


class OutboxNoticeAnnouncements:
    """Stages ``partner.notice_acknowledged`` in the unit of work's outbox (sent after the commit)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def acknowledged(self, acknowledgement: Acknowledgement, effective_from: date) -> None:
        self.uow.publish(
            PartnerNoticeAcknowledged(
                partner_id=acknowledgement.partner_id,
                program_id=acknowledgement.program_id,
                program_version=acknowledgement.version,
                effective_from=effective_from,
                acknowledged_by=acknowledgement.acknowledged_by,
                acknowledged_at=acknowledgement.acknowledged_at,
            ),
            time=acknowledgement.acknowledged_at,
        )
