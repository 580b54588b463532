"""The projection: each consumed event's effect on the read models (registration, mdf and ledger topics).

Events about a deal or request the read models have not seen change nothing (within a topic a
partner's events are in order, so a deal's registration always comes first). A tier change about a
partner whose enrolment has not arrived yet (another topic) waits for it: the consumer parks it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from incentive_contracts.events import deal as d
from incentive_contracts.events import engagement as e
from incentive_contracts.events import ledger as led
from incentive_contracts.events import mdf as m
from incentive_contracts.events import partner as p
from incentive_contracts.payload import EventPayload

from ..domain.facts import DealFact, EngagementFact, MdfRequestFact, MdfResultFact, MdfSpendFact
from .ports import PartnerRecord, ReadModelWriter

GENERIC_RULES = "ledger"  # ledger/holds, ledger/payouts...: postings that name no program


@dataclass(frozen=True)
class Consumed:
    payload: EventPayload
    time: datetime  # the envelope's time


@dataclass(frozen=True)
class Waiting:
    index: int
    waiting_for: str
    reason: str


def _record(event: p.PartnerEnrolled | p.PartnerUpdated) -> PartnerRecord:
    enrolled_on = event.enrolled_on if isinstance(event, p.PartnerEnrolled) else event.updated_on
    return PartnerRecord(
        partner_id=event.partner_id,
        name=event.name,
        partner_type=event.partner_type.value,
        program_id=event.program_id,
        region=event.region,
        vertical=event.vertical,
        enrolled_on=enrolled_on,
    )


async def _deal_registered(w: ReadModelWriter, ev: d.DealRegistered, _: datetime) -> None:
    amount = ev.expected_amount
    await w.register_deal(
        DealFact(
            deal_id=ev.deal_id,
            partner_id=ev.partner_id,
            currency=amount.currency,
            expected_amount=amount.amount,
            expected_close=ev.expected_close,
            registered_on=ev.registered_on,
            stage="registered",
        )
    )


async def _mdf_submitted(w: ReadModelWriter, ev: m.MdfRequestSubmitted, _: datetime) -> None:
    await w.submit_mdf_request(
        MdfRequestFact(
            request_id=ev.request_id,
            partner_id=ev.partner_id,
            activity_type=ev.activity_type,
            currency=ev.requested_amount.currency,
            requested_amount=ev.requested_amount.amount,
            approved_amount=None,
            status="submitted",
            submitted_on=ev.submitted_on,
        )
    )


async def _mdf_results(w: ReadModelWriter, ev: m.MdfResultsReported, _: datetime) -> None:
    r = ev.results
    await w.record_mdf_results(
        MdfResultFact(
            request_id=ev.request_id,
            partner_id=ev.partner_id,
            activity_type=ev.activity_type,
            currency=ev.spend.currency,
            spend=ev.spend.amount,
            registrations=r.registrations or 0,
            attendees=r.attendees or 0,
            leads=r.leads or 0,
            opportunities_influenced=r.opportunities_influenced or 0,
            reported_on=ev.reported_on,
        )
    )


async def _entry_posted(w: ReadModelWriter, ev: led.LedgerEntryPosted, time: datetime) -> None:
    program = ev.rule_id.split("/", 1)[0]
    if program and program != GENERIC_RULES:
        await w.record_reward_program(ev.partner_id, program, time)


Apply = Callable[[ReadModelWriter, Any, datetime], Awaitable[None]]

HANDLERS: dict[type[EventPayload], Apply] = {
    p.PartnerEnrolled: lambda w, ev, _: w.enrol(_record(ev)),
    p.PartnerUpdated: lambda w, ev, _: w.update_partner(_record(ev)),
    p.PartnerDeactivated: lambda w, ev, _: w.deactivate(ev.partner_id, ev.deactivated_on),
    p.PartnerTierChanged: lambda w, ev, _: w.set_tier(ev.partner_id, ev.tier, ev.effective_at),
    d.DealRegistered: _deal_registered,
    d.DealApproved: lambda w, ev, _: w.reach_stage(ev.deal_id, "approved", ev.approved_on),
    d.DealStageChanged: lambda w, ev, _: _stage_changed(w, ev),
    d.DealForecastChanged: lambda w, ev, _: w.change_forecast(ev.deal_id, ev.expected_amount.amount, ev.expected_close),
    d.DealWon: lambda w, ev, _: w.win_deal(ev.deal_id, ev.amount.amount, ev.amount.currency, ev.closed_on),
    d.DealLost: lambda w, ev, _: w.reach_stage(ev.deal_id, "lost", ev.lost_on, closing=True),
    d.DealExpired: lambda w, ev, _: w.reach_stage(ev.deal_id, "expired", ev.expired_on, closing=True),
    d.DealRejected: lambda w, ev, _: w.reach_stage(ev.deal_id, "rejected", ev.rejected_on, closing=True),
    d.DealFlagConfirmed: lambda w, ev, _: w.reach_stage(ev.deal_id, "rejected", ev.confirmed_on, closing=True),
    d.DealReversed: lambda w, ev, _: w.reverse_won(ev.deal_id, ev.amount.amount),
    e.EngagementRecorded: lambda w, ev, _: w.record_engagement(
        EngagementFact(ev.engagement_id, ev.partner_id, ev.kind.value, ev.occurred_on)
    ),
    m.MdfRequestSubmitted: _mdf_submitted,
    m.MdfRequestApproved: lambda w, ev, _: w.decide_mdf_request(ev.request_id, "approved", ev.approved_amount.amount),
    m.MdfRequestRejected: lambda w, ev, _: w.decide_mdf_request(ev.request_id, "rejected", None),
    m.MdfRequestCancelled: lambda w, ev, _: w.decide_mdf_request(ev.request_id, "cancelled", None),
    m.MdfDisbursed: lambda w, ev, _: w.record_mdf_spend(
        MdfSpendFact(
            ev.disbursement_id, ev.partner_id, ev.request_id, ev.amount.currency, ev.amount.amount, ev.disbursed_on
        )
    ),
    m.MdfResultsReported: _mdf_results,
    led.LedgerEntryPosted: _entry_posted,
}


async def _stage_changed(w: ReadModelWriter, ev: d.DealStageChanged) -> None:
    await w.reach_stage(ev.deal_id, ev.to_stage.value, ev.changed_at.date())
    await w.change_forecast(ev.deal_id, None, ev.forecast_close)


NEEDS_PARTNER = (p.PartnerTierChanged,)


async def project(writer: ReadModelWriter, events: Sequence[Consumed]) -> list[Waiting]:
    """Apply ``events`` in order; returns those that wait for a partner not enrolled yet."""
    waiting: list[Waiting] = []
    for index, event in enumerate(events):
        payload = event.payload
        if isinstance(payload, NEEDS_PARTNER) and not await writer.known_partners([payload.partner_id]):
            reason = f"partner {payload.partner_id} is not known to insights yet"
            waiting.append(Waiting(index, f"partner:{payload.partner_id}", reason))
            continue
        handler = HANDLERS.get(type(payload))
        if handler is not None:
            await handler(writer, payload, event.time)
    return waiting
