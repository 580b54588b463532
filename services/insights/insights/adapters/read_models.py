"""The projection's store: one read of the rows a batch names, one write of what it changed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from ..application.ports import ReadModelRows, Referenced
from .queries import deal_fact, partner_view, request_fact, result_fact
from .tables import deal_stages, deals, engagements, mdf_requests, mdf_results, mdf_spend, partners, reward_programs


class SqlReadModels:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def load(self, referenced: Referenced) -> ReadModelRows:
        rows = ReadModelRows()
        if referenced.partner_ids:
            found = await self._where(partners, partners.c.partner_id, referenced.partner_ids)
            rows.partners = {r.partner_id: partner_view(r) for r in found}
        if referenced.deal_ids:
            found = await self._where(deals, deals.c.deal_id, referenced.deal_ids)
            rows.deals = {r.deal_id: deal_fact(r, {}) for r in found}
        if referenced.request_ids:
            found = await self._where(mdf_requests, mdf_requests.c.request_id, referenced.request_ids)
            rows.requests = {r.request_id: request_fact(r) for r in found}
            found = await self._where(mdf_results, mdf_results.c.request_id, referenced.request_ids)
            rows.results = {r.request_id: result_fact(r) for r in found}
        return rows

    async def save(self, changed: ReadModelRows) -> None:
        await self._upsert(partners, [_without(asdict(p), "reward_programs") for p in changed.partners.values()])
        await self._upsert(deals, [_without(asdict(d), "reached") for d in changed.deals.values()])
        await self._upsert(mdf_requests, [asdict(r) for r in changed.requests.values()])
        await self._upsert(mdf_results, [asdict(r) for r in changed.results.values()])
        stages = [{"deal_id": k[0], "stage": k[1], "reached_on": v} for k, v in changed.stages.items()]
        await self._add(deal_stages, stages)
        await self._add(engagements, [asdict(x) for x in changed.engagements.values()])
        await self._add(mdf_spend, [asdict(x) for x in changed.spend.values()])
        programs = [
            {"partner_id": k[0], "program_id": k[1], "first_posted_at": v} for k, v in changed.reward_programs.items()
        ]
        await self._add(reward_programs, programs)

    async def _where(self, table: Table, key: Any, ids: Iterable[str]) -> list[Any]:
        return list((await self.conn.execute(select(table).where(key.in_(sorted(ids))))).all())

    async def _upsert(self, table: Table, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        stmt = insert(table)
        keys = {c.name for c in table.primary_key.columns}
        update = {c.name: stmt.excluded[c.name] for c in table.columns if c.name not in keys}
        await self.conn.execute(stmt.on_conflict_do_update(index_elements=sorted(keys), set_=update), rows)

    async def _add(self, table: Table, rows: list[dict[str, Any]]) -> None:
        """Rows not stored yet (a stored one, e.g. the first day a deal reached a stage, is kept)."""
        if rows:
            await self.conn.execute(insert(table).on_conflict_do_nothing(), rows)


def _without(row: Mapping[str, Any], field: str) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != field}
