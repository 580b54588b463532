"""The projection's store: one read of the rows a batch names, one write of what it changed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from ..application.ports import ReadModelRows, Referenced
from ..domain.monthly import Key
from .queries import deal_fact, engagement_fact, partner_view, request_fact, result_fact, spend_fact
from .tables import (
    EVERY_PARTNER,
    deal_stages,
    deals,
    engagements,
    mdf_requests,
    mdf_results,
    mdf_spend,
    monthly,
    partners,
    reward_programs,
)
from .versions import note_change


class SqlReadModels:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def load(self, referenced: Referenced) -> ReadModelRows:
        rows = ReadModelRows()
        if referenced.partner_ids:
            found = await self._where(partners, partners.c.partner_id, referenced.partner_ids)
            rows.partners = {r.partner_id: partner_view(r) for r in found}
        if referenced.deal_ids:
            reached: dict[str, dict[str, date]] = defaultdict(dict)
            for s in await self._where(deal_stages, deal_stages.c.deal_id, referenced.deal_ids):
                reached[s.deal_id][s.stage] = s.reached_on
            found = await self._where(deals, deals.c.deal_id, referenced.deal_ids)
            rows.deals = {r.deal_id: deal_fact(r, reached[r.deal_id]) for r in found}
        if referenced.request_ids:
            found = await self._where(mdf_requests, mdf_requests.c.request_id, referenced.request_ids)
            rows.requests = {r.request_id: request_fact(r) for r in found}
            found = await self._where(mdf_results, mdf_results.c.request_id, referenced.request_ids)
            rows.results = {r.request_id: result_fact(r) for r in found}
        if referenced.engagement_ids:
            found = await self._where(engagements, engagements.c.engagement_id, referenced.engagement_ids)
            rows.engagements = {r.engagement_id: engagement_fact(r) for r in found}
        if referenced.disbursement_ids:
            found = await self._where(mdf_spend, mdf_spend.c.disbursement_id, referenced.disbursement_ids)
            rows.spend = {r.disbursement_id: spend_fact(r) for r in found}
        return rows

    async def note_change(self) -> None:
        await note_change(self.conn)

    async def save(self, changed: ReadModelRows) -> None:
        await self._save_partners(changed)
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
        await self._add_to_sums(changed.monthly)

    async def _save_partners(self, changed: ReadModelRows) -> None:
        """Insert new partners; of known ones, set only the fields the batch changed."""
        by_fields: dict[frozenset[str], list[dict[str, Any]]] = defaultdict(list)
        for partner_id, partner in changed.partners.items():
            fields = frozenset(changed.partner_fields.get(partner_id, ()))
            by_fields[fields].append(_without(asdict(partner), "reward_programs"))
        for fields, rows in sorted(by_fields.items(), key=lambda item: sorted(item[0])):
            await self._upsert(partners, rows, only=fields)

    async def _add_to_sums(self, changes: Mapping[tuple[str, Key], Decimal]) -> None:
        """Add to each partner's sums and to the whole book's (``EVERY_PARTNER``, read by the overview)."""
        if not changes:
            return
        book: dict[tuple[str, Key], Decimal] = defaultdict(Decimal)
        for (_, key), value in changes.items():
            book[(EVERY_PARTNER, key)] += value
        changes = {**changes, **{k: v for k, v in book.items() if v}}
        rows = [
            {"partner_id": p, "currency": c, "month": m, "metric": metric, "key": key, "value": value}
            for (p, (c, m, metric, key)), value in sorted(changes.items())
        ]
        stmt = insert(monthly)
        added = stmt.on_conflict_do_update(
            index_elements=["partner_id", "currency", "month", "metric", "key"],
            set_={"value": monthly.c.value + stmt.excluded.value},
        )
        await self.conn.execute(added, rows)

    async def _where(self, table: Table, key: Any, ids: Iterable[str]) -> list[Any]:
        return list((await self.conn.execute(select(table).where(key.in_(sorted(ids))))).all())

    async def _upsert(self, table: Table, rows: list[dict[str, Any]], only: frozenset[str] | None = None) -> None:
        """Insert ``rows``; a row already stored gets the new values (of the ``only`` columns, if given)."""
        if not rows:
            return
        stmt = insert(table)
        keys = {c.name for c in table.primary_key.columns}
        update = {
            c.name: stmt.excluded[c.name]
            for c in table.columns
            if c.name not in keys and (only is None or c.name in only)
        }
        upsert = (
            stmt.on_conflict_do_update(index_elements=sorted(keys), set_=update)
            if update
            else stmt.on_conflict_do_nothing()
        )
        await self.conn.execute(upsert, rows)

    async def _add(self, table: Table, rows: list[dict[str, Any]]) -> None:
        """Rows not stored yet (a stored one, e.g. the first day a deal reached a stage, is kept)."""
        if rows:
            await self.conn.execute(insert(table).on_conflict_do_nothing(), rows)


def _without(row: Mapping[str, Any], field: str) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != field}
