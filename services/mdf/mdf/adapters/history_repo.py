"""Append-only history (allocations, accruals, clawbacks, disbursements, expiries, results) and partner tiers."""

from __future__ import annotations

from datetime import date

from incentive_contracts.events.ledger import LedgerMdfAccrued
from incentive_contracts.events.mdf import (
    CampaignResults,
    MdfAccrualClawedBack,
    MdfAllocated,
    MdfDisbursed,
    MdfFundsExpired,
    MdfResultsReported,
)
from incentive_contracts.money import Money
from sqlalchemy import Column, select
from sqlalchemy.dialects.postgresql import Insert, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from ..application.ports import AllocationRecord, RequestHistory
from ..domain.errors import AlreadyExists
from .amounts import stored
from .tables import accrual_clawbacks, accruals, allocations, campaign_results, disbursements, expiries, partner_tiers

RESULT_FIELDS = ("registrations", "attendees", "leads", "opportunities_influenced")


class SqlHistory:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def allocation(self, event: MdfAllocated, *, by: str) -> None:
        await self._insert_new(
            f"allocation {event.allocation_id}",
            allocations.c.allocation_id,
            insert(allocations).values(
                allocation_id=event.allocation_id,
                partner_id=event.partner_id,
                period=event.period,
                currency=event.amount.currency,
                amount=event.amount.amount,
                allocated_on=event.allocated_on,
                allocated_by=by,
            ),
        )

    async def accrual(self, event_id: str, accrued: LedgerMdfAccrued, *, on: date) -> bool:
        stmt = (
            insert(accruals)
            .values(
                entry_id=accrued.entry_id,
                event_id=event_id,
                partner_id=accrued.partner_id,
                period=accrued.period,
                currency=accrued.amount.currency,
                amount=accrued.amount.amount,
                rate=accrued.rate,
                deal_id=accrued.deal_id,
                rule_version=accrued.rule_version,
                accrued_on=on,
            )
            .on_conflict_do_nothing(index_elements=["entry_id"])
            .returning(accruals.c.entry_id)
        )
        return (await self.conn.execute(stmt)).scalar() is not None

    async def clawback_answered(self, reversal_entry_id: str) -> bool:
        stmt = select(accrual_clawbacks.c.reversal_entry_id).where(
            accrual_clawbacks.c.reversal_entry_id == reversal_entry_id
        )
        return (await self.conn.execute(stmt)).first() is not None

    async def clawback(self, event_id: str, clawed: MdfAccrualClawedBack) -> bool:
        stmt = (
            insert(accrual_clawbacks)
            .values(
                reversal_entry_id=clawed.reversal_entry_id,
                event_id=event_id,
                reverses=clawed.reverses,
                partner_id=clawed.partner_id,
                period=clawed.period,
                currency=clawed.amount.currency,
                deal_id=clawed.deal_id,
                requested=clawed.requested.amount,
                taken=clawed.amount.amount,
                unrecovered=clawed.unrecovered.amount,
                clawed_on=clawed.clawed_on,
            )
            .on_conflict_do_nothing(index_elements=["reversal_entry_id"])
            .returning(accrual_clawbacks.c.reversal_entry_id)
        )
        return (await self.conn.execute(stmt)).scalar() is not None

    async def disbursement(self, event: MdfDisbursed) -> None:
        await self.conn.execute(
            disbursements.insert().values(
                disbursement_id=event.disbursement_id,
                request_id=event.request_id,
                claim_id=event.claim_id,
                partner_id=event.partner_id,
                period=event.period,
                currency=event.amount.currency,
                milestone=event.milestone,
                trigger=event.trigger,
                amount=event.amount.amount,
                disbursed_on=event.disbursed_on,
            )
        )

    async def expiry(self, event: MdfFundsExpired) -> None:
        await self.conn.execute(
            expiries.insert().values(
                partner_id=event.partner_id,
                period=event.period,
                currency=event.amount.currency,
                amount=event.amount.amount,
                reason=event.reason,
                expired_on=event.expired_on,
            )
        )

    async def results(self, event: MdfResultsReported, *, by: str) -> None:
        await self._insert_new(
            f"result {event.result_id}",
            campaign_results.c.result_id,
            insert(campaign_results).values(
                result_id=event.result_id,
                request_id=event.request_id,
                claim_id=event.claim_id,
                partner_id=event.partner_id,
                period=event.period,
                activity_type=event.activity_type,
                currency=event.spend.currency,
                spend=event.spend.amount,
                reported_on=event.reported_on,
                reported_by=by,
                **{name: getattr(event.results, name) for name in RESULT_FIELDS},
            ),
        )

    async def _insert_new(self, what: str, key: Column[str], stmt: Insert) -> None:
        if (await self.conn.execute(stmt.on_conflict_do_nothing().returning(key))).scalar() is None:
            raise AlreadyExists(f"{what} already exists")

    async def allocations(self, partner_id: str, period: str | None) -> list[AllocationRecord]:
        stmt = select(allocations).where(allocations.c.partner_id == partner_id)
        if period is not None:
            stmt = stmt.where(allocations.c.period == period)
        return [
            AllocationRecord(
                allocation_id=r.allocation_id,
                partner_id=r.partner_id,
                period=r.period,
                amount=Money.recorded(stored(r.amount, r.currency), r.currency),
                allocated_on=r.allocated_on,
                allocated_by=r.allocated_by,
            )
            for r in await self.conn.execute(stmt.order_by(allocations.c.seq))
        ]

    async def of_request(self, request_id: str) -> RequestHistory:
        paid = await self.conn.execute(
            select(disbursements).where(disbursements.c.request_id == request_id).order_by(disbursements.c.seq)
        )
        reported = await self.conn.execute(
            select(campaign_results).where(campaign_results.c.request_id == request_id).order_by(campaign_results.c.seq)
        )
        return RequestHistory(
            disbursements=[
                MdfDisbursed(
                    partner_id=r.partner_id,
                    disbursement_id=r.disbursement_id,
                    request_id=r.request_id,
                    claim_id=r.claim_id,
                    period=r.period,
                    milestone=r.milestone,
                    trigger=r.trigger,
                    amount=Money.recorded(stored(r.amount, r.currency), r.currency),
                    disbursed_on=r.disbursed_on,
                )
                for r in paid
            ],
            results=[
                MdfResultsReported(
                    partner_id=r.partner_id,
                    result_id=r.result_id,
                    request_id=r.request_id,
                    claim_id=r.claim_id,
                    period=r.period,
                    activity_type=r.activity_type,
                    spend=Money.recorded(stored(r.spend, r.currency), r.currency),
                    results=CampaignResults(**{name: getattr(r, name) for name in RESULT_FIELDS}),
                    reported_on=r.reported_on,
                )
                for r in reported
            ],
        )


class SqlTiers:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get(self, partner_id: str) -> str | None:
        stmt = select(partner_tiers.c.tier).where(partner_tiers.c.partner_id == partner_id)
        return (await self.conn.execute(stmt)).scalar()

    async def record(self, partner_id: str, tier: str, program_id: str, effective_at: date, rule_version: int) -> bool:
        values = {"tier": tier, "program_id": program_id, "effective_at": effective_at, "rule_version": rule_version}
        stmt = insert(partner_tiers).values(partner_id=partner_id, **values)
        upsert = stmt.on_conflict_do_update(
            index_elements=["partner_id"],
            set_=values,
            # A stale tier change (older effective date) never overwrites a newer one.
            where=partner_tiers.c.effective_at <= stmt.excluded.effective_at,
        ).returning(partner_tiers.c.partner_id)
        return (await self.conn.execute(upsert)).scalar() is not None
