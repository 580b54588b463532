"""The projection's writes to the read models (SQL upserts on the consumer's transaction)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import exists, literal, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from ..application.ports import PartnerRecord
from ..domain.facts import CLOSED_STAGES, DealFact, EngagementFact, MdfRequestFact, MdfResultFact, MdfSpendFact
from .tables import deal_stages, deals, engagements, mdf_requests, mdf_results, mdf_spend, partners, reward_programs

_STILL_OPEN = deals.c.stage.not_in(CLOSED_STAGES)


class SqlReadModels:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def known_partners(self, partner_ids: Iterable[str]) -> set[str]:
        ids = sorted(set(partner_ids))
        if not ids:
            return set()
        rows = await self.conn.execute(select(partners.c.partner_id).where(partners.c.partner_id.in_(ids)))
        return set(rows.scalars())

    async def enrol(self, partner: PartnerRecord) -> None:
        values = _partner_values(partner)
        stmt = insert(partners).values(partner_id=partner.partner_id, enrolled_on=partner.enrolled_on, **values)
        await self.conn.execute(stmt.on_conflict_do_update(index_elements=[partners.c.partner_id], set_=values))

    async def update_partner(self, partner: PartnerRecord) -> None:
        await self.conn.execute(
            partners.update().where(partners.c.partner_id == partner.partner_id).values(**_partner_values(partner))
        )

    async def deactivate(self, partner_id: str, on: date) -> None:
        await self.conn.execute(partners.update().where(partners.c.partner_id == partner_id).values(deactivated_on=on))

    async def set_tier(self, partner_id: str, tier: str, since: date) -> None:
        await self.conn.execute(
            partners.update().where(partners.c.partner_id == partner_id).values(tier=tier, tier_since=since)
        )

    async def register_deal(self, deal: DealFact) -> None:
        await self.conn.execute(
            insert(deals)
            .values(
                deal_id=deal.deal_id,
                partner_id=deal.partner_id,
                currency=deal.currency,
                expected_amount=deal.expected_amount,
                expected_close=deal.expected_close,
                registered_on=deal.registered_on,
                stage=deal.stage,
            )
            .on_conflict_do_nothing()
        )
        await self._stage_row(deal.deal_id, "registered", deal.registered_on)

    async def reach_stage(self, deal_id: str, stage: str, on: date, *, closing: bool = False) -> None:
        values: dict[str, object] = {"stage": stage}
        if closing:
            values["closed_on"] = on
        await self.conn.execute(deals.update().where(deals.c.deal_id == deal_id, _STILL_OPEN).values(**values))
        await self._stage_row(deal_id, stage, on)

    async def win_deal(self, deal_id: str, amount: Decimal, currency: str, on: date) -> None:
        await self.conn.execute(
            deals.update()
            .where(deals.c.deal_id == deal_id, _STILL_OPEN)
            .values(stage="won", won_amount=amount, currency=currency, closed_on=on)
        )
        await self._stage_row(deal_id, "won", on)

    async def reverse_won(self, deal_id: str, amount: Decimal) -> None:
        await self.conn.execute(
            deals.update()
            .where(deals.c.deal_id == deal_id, deals.c.stage == "won")
            .values(won_amount=deals.c.won_amount - amount)
        )

    async def change_forecast(self, deal_id: str, amount: Decimal | None, close: date) -> None:
        values: dict[str, object] = {"expected_close": close}
        if amount is not None:
            values["expected_amount"] = amount
        await self.conn.execute(deals.update().where(deals.c.deal_id == deal_id, _STILL_OPEN).values(**values))

    async def record_engagement(self, engagement: EngagementFact) -> None:
        await self.conn.execute(
            insert(engagements)
            .values(
                engagement_id=engagement.engagement_id,
                partner_id=engagement.partner_id,
                kind=engagement.kind,
                occurred_on=engagement.occurred_on,
            )
            .on_conflict_do_nothing()
        )

    async def submit_mdf_request(self, request: MdfRequestFact) -> None:
        await self.conn.execute(
            insert(mdf_requests)
            .values(
                request_id=request.request_id,
                partner_id=request.partner_id,
                activity_type=request.activity_type,
                currency=request.currency,
                requested_amount=request.requested_amount,
                status=request.status,
                submitted_on=request.submitted_on,
            )
            .on_conflict_do_nothing()
        )

    async def decide_mdf_request(self, request_id: str, status: str, approved: Decimal | None) -> None:
        values: dict[str, object] = {"status": status}
        if approved is not None:
            values["approved_amount"] = approved
        await self.conn.execute(mdf_requests.update().where(mdf_requests.c.request_id == request_id).values(**values))

    async def record_mdf_spend(self, spend: MdfSpendFact) -> None:
        await self.conn.execute(
            insert(mdf_spend)
            .values(
                disbursement_id=spend.disbursement_id,
                partner_id=spend.partner_id,
                request_id=spend.request_id,
                currency=spend.currency,
                amount=spend.amount,
                disbursed_on=spend.disbursed_on,
            )
            .on_conflict_do_nothing()
        )

    async def record_mdf_results(self, results: MdfResultFact) -> None:
        values = {
            "partner_id": results.partner_id,
            "activity_type": results.activity_type,
            "currency": results.currency,
            "spend": results.spend,
            "registrations": results.registrations,
            "attendees": results.attendees,
            "leads": results.leads,
            "opportunities_influenced": results.opportunities_influenced,
            "reported_on": results.reported_on,
        }
        stmt = insert(mdf_results).values(request_id=results.request_id, **values)
        # Reports are cumulative: the latest (by report date, then arrival) replaces what was known.
        await self.conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[mdf_results.c.request_id],
                set_=values,
                where=mdf_results.c.reported_on <= stmt.excluded.reported_on,
            )
        )

    async def record_reward_program(self, partner_id: str, program_id: str, at: datetime) -> None:
        await self.conn.execute(
            insert(reward_programs)
            .values(partner_id=partner_id, program_id=program_id, first_posted_at=at)
            .on_conflict_do_nothing()
        )

    async def _stage_row(self, deal_id: str, stage: str, on: date) -> None:
        """The day a known deal first reached ``stage`` (a later move back and forth keeps the first)."""
        known = exists().where(deals.c.deal_id == deal_id)
        row = select(literal(deal_id), literal(stage), literal(on)).where(known)
        await self.conn.execute(
            insert(deal_stages).from_select(["deal_id", "stage", "reached_on"], row).on_conflict_do_nothing()
        )


def _partner_values(partner: PartnerRecord) -> dict[str, object]:
    return {
        "name": partner.name,
        "partner_type": partner.partner_type,
        "program_id": partner.program_id,
        "region": partner.region,
        "vertical": partner.vertical,
    }
