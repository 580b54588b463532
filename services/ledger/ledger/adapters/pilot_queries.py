"""Pilots and cohorts in PostgreSQL: recording them, and the data of a pilot's report."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from ..domain.cohorts import CohortChange, Pilot, members_during
from ..domain.errors import Conflict, NotFound
from ..domain.pilot_report import GroupMetrics, group_metrics
from ..domain.simulation import EARNING_KINDS, earned
from ..domain.state import DealRecord
from .codec import deal_from_json
from .cohorts import change_of
from .tables import cohort_changes, journal_entries, ledger_deals, pilots, postings


async def create_pilot(conn: AsyncConnection, pilot: Pilot, description: str | None, by: str) -> Pilot:
    stmt = (
        insert(pilots)
        .values(
            pilot_id=pilot.pilot_id,
            base_program_id=pilot.base_program_id,
            variant_program_id=pilot.variant_program_id,
            cohort_tag=pilot.cohort_tag,
            control_tag=pilot.control_tag,
            starts_on=pilot.starts_on,
            ends_on=pilot.ends_on,
            description=description,
            created_at=pilot.created_at,
            created_by=by,
        )
        .on_conflict_do_nothing()
        .returning(pilots.c.pilot_id)
    )
    if (await conn.execute(stmt)).scalar() is None:
        raise Conflict(f"pilot {pilot.pilot_id} exists; pilots are never changed (create another)")
    return pilot


async def all_pilots(conn: AsyncConnection) -> list[Any]:
    return list((await conn.execute(select(pilots).order_by(pilots.c.created_at, pilots.c.pilot_id))).all())


async def pilot(conn: AsyncConnection, pilot_id: str) -> Any:
    row = (await conn.execute(select(pilots).where(pilots.c.pilot_id == pilot_id))).first()
    if row is None:
        raise NotFound(f"pilot {pilot_id} not found")
    return row


async def record_changes(
    conn: AsyncConnection, tag: str, rows: Sequence[tuple[str, date, bool]], by: str, now: datetime
) -> list[CohortChange]:
    stmt = insert(cohort_changes).returning(*cohort_changes.c)
    values = [
        {"partner_id": p, "tag": tag, "effective_on": on, "member": member, "recorded_at": now, "recorded_by": by}
        for p, on, member in rows
    ]
    return [change_of(r) for r in (await conn.execute(stmt, values)).all()] if values else []


async def tag_changes(conn: AsyncConnection, tags: Sequence[str]) -> list[CohortChange]:
    stmt = select(cohort_changes).where(cohort_changes.c.tag.in_(list(tags))).order_by(cohort_changes.c.change_seq)
    return [change_of(r) for r in await conn.execute(stmt)]


async def _deals(conn: AsyncConnection, partner_ids: set[str]) -> list[DealRecord]:
    if not partner_ids:
        return []
    rows = await conn.execute(select(ledger_deals).where(ledger_deals.c.partner_id.in_(sorted(partner_ids))))
    return [deal_from_json(r.partner_id, r.deal_id, r.state) for r in rows]


async def _earnings_rows(conn: AsyncConnection, partner_ids: set[str], start: date, end: date) -> list[Any]:
    if not partner_ids:
        return []
    stmt = (
        select(
            journal_entries.c.partner_id,
            journal_entries.c.kind,
            postings.c.account,
            postings.c.currency,
            postings.c.amount,
        )
        .join(postings, and_(postings.c.entry_id == journal_entries.c.entry_id))
        .where(
            journal_entries.c.partner_id.in_(sorted(partner_ids)),
            journal_entries.c.kind.in_(sorted(EARNING_KINDS)),
            journal_entries.c.effective_at >= datetime.combine(start, time.min, tzinfo=UTC),
            journal_entries.c.effective_at < datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC),
        )
    )
    return [tuple(r) for r in await conn.execute(stmt)]


async def group_report(
    conn: AsyncConnection, tag: str, start: date, end: date
) -> tuple[set[str], dict[str, GroupMetrics]]:
    members = members_during(await tag_changes(conn, [tag]), tag, start, end)
    rows = await _earnings_rows(conn, members, start, end)
    return members, group_metrics(members, await _deals(conn, members), earned(rows), start, end)


class SqlPilots:
    """The pilot store of one unit of work (pilots and cohort changes are append-only)."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def create(self, pilot: Pilot, description: str | None, by: str) -> Pilot:
        return await create_pilot(self.conn, pilot, description, by)

    async def record_changes(
        self, tag: str, rows: Sequence[tuple[str, date, bool]], by: str, now: datetime
    ) -> list[CohortChange]:
        return await record_changes(self.conn, tag, rows, by, now)
