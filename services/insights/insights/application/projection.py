"""The projection: each consumed event's effect on the read models (registration, mdf and ledger topics).

A batch of events is folded in memory over the rows it names (loaded once) and the changed rows are
saved at the end: a few statements per batch, not per event. Events about a deal or request the read
models have not seen change nothing (within a topic a partner's events are in order, so a deal's
registration always comes first). A tier change about a partner whose enrolment has not arrived yet
(another topic) waits for it: the consumer parks it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from incentive_contracts.events import deal as d
from incentive_contracts.events import engagement as e
from incentive_contracts.events import ledger as led
from incentive_contracts.events import mdf as m
from incentive_contracts.events import partner as p
from incentive_contracts.money import Money
from incentive_contracts.payload import EventPayload

from ..domain.facts import CLOSED_STAGES, DealFact, EngagementFact, MdfRequestFact, MdfResultFact, MdfSpendFact
from .monthly_changes import monthly_changes
from .ports import PartnerView, ReadModelRows, ReadModelStore, Referenced

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


def referenced(events: Sequence[Consumed]) -> Referenced:
    payloads = [c.payload for c in events]
    return Referenced(
        partner_ids=frozenset(x.partner_id for x in payloads if x.partner_id),
        deal_ids=frozenset(getattr(x, "deal_id", "") for x in payloads) - {""},
        request_ids=frozenset(getattr(x, "request_id", "") for x in payloads if x.event_type.startswith("mdf.")) - {""},
        engagement_ids=frozenset(x.engagement_id for x in payloads if isinstance(x, e.EngagementRecorded)),
        disbursement_ids=frozenset(x.disbursement_id for x in payloads if isinstance(x, m.MdfDisbursed)),
    )


class Fold:
    """The read-model rows a batch starts from (``known``) and those it changed (``changed``)."""

    def __init__(self, known: ReadModelRows) -> None:
        self.known = known
        self.changed = ReadModelRows()

    def partner(self, partner_id: str) -> PartnerView | None:
        return self.changed.partners.get(partner_id) or self.known.partners.get(partner_id)

    def deal(self, deal_id: str) -> DealFact | None:
        return self.changed.deals.get(deal_id) or self.known.deals.get(deal_id)

    def request(self, request_id: str) -> MdfRequestFact | None:
        return self.changed.requests.get(request_id) or self.known.requests.get(request_id)

    # partners

    def enrol(self, ev: p.PartnerEnrolled | p.PartnerUpdated) -> None:
        current = self.partner(ev.partner_id)
        if current is None and isinstance(ev, p.PartnerUpdated):
            return
        if current is None:
            assert isinstance(ev, p.PartnerEnrolled)
            current = PartnerView(ev.partner_id, "", "", "", "", None, None, None, ev.enrolled_on, None)
        attributes: dict[str, Any] = {
            "name": ev.name,
            "partner_type": ev.partner_type.value,
            "program_id": ev.program_id,
            "region": ev.region,
            "vertical": ev.vertical,
        }
        self.changed.partners[ev.partner_id] = replace(current, **attributes)
        self.changed.partner_fields.setdefault(ev.partner_id, set()).update(attributes)

    def update_partner(self, partner_id: str, **values: Any) -> None:
        current = self.partner(partner_id)
        if current is not None:
            self.changed.partners[partner_id] = replace(current, **values)
            self.changed.partner_fields.setdefault(partner_id, set()).update(values)

    # deals

    def register(self, ev: d.DealRegistered) -> None:
        if self.deal(ev.deal_id) is not None:
            return
        amount = ev.expected_amount
        self.changed.deals[ev.deal_id] = DealFact(
            deal_id=ev.deal_id,
            partner_id=ev.partner_id,
            currency=amount.currency,
            expected_amount=amount.amount,
            expected_close=ev.expected_close,
            registered_on=ev.registered_on,
            stage="registered",
        )
        self._reached(ev.deal_id, "registered", ev.registered_on)

    def move(
        self, deal_id: str, stage: str, on: date, *, closing: bool = False, any_stage: bool = False, **values: Any
    ) -> None:
        """The deal reaches ``stage`` (an open deal only, unless ``any_stage``); ``closing`` closes it."""
        deal = self.deal(deal_id)
        if deal is None or (deal.stage in CLOSED_STAGES and not any_stage):
            return
        if closing:
            values["closed_on"] = on
        self.changed.deals[deal_id] = replace(deal, stage=stage, **values)
        self._reached(deal_id, stage, on)

    def change_deal(self, deal_id: str, *, open_only: bool = True, **values: Any) -> None:
        deal = self.deal(deal_id)
        if deal is not None and not (open_only and deal.stage in CLOSED_STAGES):
            self.changed.deals[deal_id] = replace(deal, **values)

    def reverse(self, ev: d.DealReversed) -> None:
        deal = self.deal(ev.deal_id)
        if deal is not None and deal.stage == "won" and deal.won_amount is not None:
            self.changed.deals[ev.deal_id] = replace(deal, won_amount=deal.won_amount - ev.amount.amount)

    def _reached(self, deal_id: str, stage: str, on: date) -> None:
        deal = self.changed.deals[deal_id]
        if stage not in deal.reached:  # the first day a deal reached a stage is kept
            self.changed.deals[deal_id] = replace(deal, reached={**deal.reached, stage: on})
            self.changed.stages[(deal_id, stage)] = on

    # MDF, engagement, rewards

    def submit(self, ev: m.MdfRequestSubmitted) -> None:
        if self.request(ev.request_id) is None:
            self.changed.requests[ev.request_id] = MdfRequestFact(
                ev.request_id,
                ev.partner_id,
                ev.activity_type,
                ev.requested_amount.currency,
                ev.requested_amount.amount,
                None,
                "submitted",
                ev.submitted_on,
            )

    def decide(self, request_id: str, status: str, approved: Money | None = None) -> None:
        request = self.request(request_id)
        if request is not None:
            amount = approved.amount if approved is not None else request.approved_amount
            self.changed.requests[request_id] = replace(request, status=status, approved_amount=amount)

    def report(self, ev: m.MdfResultsReported) -> None:
        current = self.changed.results.get(ev.request_id) or self.known.results.get(ev.request_id)
        if current is not None and current.reported_on > ev.reported_on:
            return  # reports are cumulative: an older one arriving late changes nothing
        r = ev.results
        self.changed.results[ev.request_id] = MdfResultFact(
            ev.request_id,
            ev.partner_id,
            ev.activity_type,
            ev.spend.currency,
            ev.spend.amount,
            r.registrations or 0,
            r.attendees or 0,
            r.leads or 0,
            r.opportunities_influenced or 0,
            ev.reported_on,
        )

    def posted(self, ev: led.LedgerEntryPosted, at: datetime) -> None:
        program = ev.rule_id.split("/", 1)[0]
        if program and program != GENERIC_RULES:
            self.changed.reward_programs.setdefault((ev.partner_id, program), at)


def _apply(fold: Fold, payload: EventPayload, at: datetime) -> None:
    if not _apply_registration(fold, payload):
        _apply_engagement_mdf_ledger(fold, payload, at)


def _apply_registration(fold: Fold, payload: EventPayload) -> bool:
    """Partner and deal events; ``False`` for any other event."""
    match payload:
        case p.PartnerEnrolled() | p.PartnerUpdated():
            fold.enrol(payload)
        case p.PartnerDeactivated():
            fold.update_partner(payload.partner_id, deactivated_on=payload.deactivated_on)
        case p.PartnerTierChanged():
            fold.update_partner(payload.partner_id, tier=payload.tier, tier_since=payload.effective_at)
        case d.DealRegistered():
            fold.register(payload)
        case d.DealApproved():
            fold.move(payload.deal_id, "approved", payload.approved_on)
        case d.DealStageChanged():
            fold.move(
                payload.deal_id,
                payload.to_stage.value,
                payload.changed_at.date(),
                expected_close=payload.forecast_close,
            )
        case d.DealForecastChanged():
            fold.change_deal(
                payload.deal_id, expected_amount=payload.expected_amount.amount, expected_close=payload.expected_close
            )
        case d.DealWon():
            fold.move(
                payload.deal_id,
                "won",
                payload.closed_on,
                closing=True,
                won_amount=payload.amount.amount,
                currency=payload.amount.currency,
            )
        case d.DealLost():
            fold.move(payload.deal_id, "lost", payload.lost_on, closing=True)
        case d.DealExpired():
            fold.move(payload.deal_id, "expired", payload.expired_on, closing=True)
        case d.DealRejected():
            fold.move(payload.deal_id, "rejected", payload.rejected_on, closing=True)
        case d.DealFlagConfirmed():  # rejects the deal whatever its stage: a won deal's win no longer counts
            fold.move(payload.deal_id, "rejected", payload.confirmed_on, closing=True, any_stage=True)
        case d.DealReversed():
            fold.reverse(payload)
        case _:
            return False
    return True


def _apply_engagement_mdf_ledger(fold: Fold, payload: EventPayload, at: datetime) -> None:
    match payload:
        case e.EngagementRecorded():
            fact = EngagementFact(payload.engagement_id, payload.partner_id, payload.kind.value, payload.occurred_on)
            if payload.engagement_id not in fold.known.engagements:
                fold.changed.engagements.setdefault(payload.engagement_id, fact)
        case m.MdfRequestSubmitted():
            fold.submit(payload)
        case m.MdfRequestApproved():
            fold.decide(payload.request_id, "approved", payload.approved_amount)
        case m.MdfRequestRejected():
            fold.decide(payload.request_id, "rejected")
        case m.MdfRequestCancelled():
            fold.decide(payload.request_id, "cancelled")
        case m.MdfDisbursed():
            spend = MdfSpendFact(
                payload.disbursement_id,
                payload.partner_id,
                payload.request_id,
                payload.amount.currency,
                payload.amount.amount,
                payload.disbursed_on,
            )
            if payload.disbursement_id not in fold.known.spend:
                fold.changed.spend.setdefault(payload.disbursement_id, spend)
        case m.MdfResultsReported():
            fold.report(payload)
        case led.LedgerEntryPosted():
            fold.posted(payload, at)


async def project(store: ReadModelStore, events: Sequence[Consumed]) -> list[Waiting]:
    """Apply ``events`` in order; returns those that wait for a partner not enrolled yet."""
    fold = Fold(await store.load(referenced(events)))
    waiting: list[Waiting] = []
    for index, event in enumerate(events):
        payload = event.payload
        if isinstance(payload, p.PartnerTierChanged) and fold.partner(payload.partner_id) is None:
            reason = f"partner {payload.partner_id} is not known to insights yet"
            waiting.append(Waiting(index, f"partner:{payload.partner_id}", reason))
            continue
        _apply(fold, payload, event.time)
    fold.changed.monthly = monthly_changes(fold.known, fold.changed)
    await store.save(fold.changed)
    if len(waiting) < len(events):
        await store.note_change()
    return waiting
