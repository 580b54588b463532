"""The ledger's pure projection: one consumed event + state + program catalogue -> Outcome.

It reads only the event (payload, id, envelope time) and the program version in force at the
event's business date; never the wall clock. Entry ids derive from the causing event id, so
replaying the same events yields the same journal. Event types it has no rule for are no-ops.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from incentive_contracts.events import deal as deal_events
from incentive_contracts.events.engagement import EngagementRecorded
from incentive_contracts.events.partner import PartnerEnrolled, PartnerUpdated
from incentive_contracts.payload import EventPayload

from .catalog import Catalog, ProgramVersion
from .clawback import on_reversed
from .deal_rewards import on_won
from .errors import NoProgramInForce, UnknownPartner
from .evolve import evolve
from .flag_review import on_flag_confirmed
from .governance_postings import on_governance
from .holds import on_flag_cleared, on_flagged
from .mdf_postings import mdf_entries
from .outcome import EventMeta, Outcome
from .state import GOVERNANCE_STREAM, REGISTRATION_STREAM, DealRecord, PartnerLedger, stream_of
from .tiers import add_points, apply_due_reviews, evaluate

BUSINESS_DATE = {
    "deal.won": "closed_on",
    "deal.reversed": "reversed_on",
    "deal.approved": "approved_on",
    "deal.flagged": "flagged_on",
    "deal.flag_cleared": "cleared_on",
    "deal.flag_confirmed": "confirmed_on",
    "deal.influence_recorded": "occurred_on",
    "engagement.recorded": "occurred_on",
    "partner.updated": "updated_on",
}


def business_date(event: EventPayload) -> date | None:
    attribute = BUSINESS_DATE.get(event.event_type)
    value = getattr(event, attribute, None) if attribute else None
    return value if isinstance(value, date) else None


def decide(
    partner: PartnerLedger, deals: Mapping[str, DealRecord], event: EventPayload, meta: EventMeta, catalog: Catalog
) -> Outcome:
    if isinstance(event, PartnerEnrolled):
        return _enrolled(partner, event, meta, catalog)
    if stream_of(event.event_type) == GOVERNANCE_STREAM:
        return on_governance(partner, event, meta)  # parks only what it posts for a partner not enrolled yet
    if not partner.enrolled:
        raise UnknownPartner(f"partner {event.partner_id} is not enrolled in the ledger")
    if stream_of(event.event_type) != REGISTRATION_STREAM:
        return Outcome(partner=partner, entries=mdf_entries(partner, event, meta, deals))
    if isinstance(event, deal_events.DealLost):
        # State only, for pilot reports' win rates; no tier review runs on it (it never did).
        deal = deals.get(event.deal_id) or DealRecord(deal_id=event.deal_id, partner_id=partner.partner_id)
        return Outcome(partner=partner, deals={deal.deal_id: evolve(deal, lost_on=event.lost_on)})
    day = business_date(event)
    if day is None:
        return Outcome(partner=partner)
    partner, reviews = apply_due_reviews(partner, catalog, day, meta.recorded_at)
    outcome = _registration(partner, deals, event, meta, catalog, day)
    outcome.announcements[:0] = reviews
    return outcome


def _registration(
    partner: PartnerLedger,
    deals: Mapping[str, DealRecord],
    event: EventPayload,
    meta: EventMeta,
    catalog: Catalog,
    day: date,
) -> Outcome:
    deal_id = getattr(event, "deal_id", None)
    deal = (deals.get(deal_id) or DealRecord(deal_id=deal_id, partner_id=partner.partner_id)) if deal_id else None
    if isinstance(event, deal_events.DealWon) and deal is not None:
        return on_won(partner, deal, event, meta, _in_force(partner, catalog, day, meta))
    if isinstance(event, deal_events.DealReversed) and deal is not None:
        return on_reversed(partner, deal, event, meta, _in_force(partner, catalog, day, meta))
    if isinstance(event, deal_events.DealFlagged) and deal is not None:
        return on_flagged(partner, deal, event, meta)
    if isinstance(event, deal_events.DealFlagCleared) and deal is not None:
        return on_flag_cleared(partner, deal, event, meta, _accrual_rate(partner, deal, catalog, meta))
    if isinstance(event, deal_events.DealFlagConfirmed) and deal is not None:
        pv = _in_force(partner, catalog, day, meta) if deal.won is not None else None
        return on_flag_confirmed(partner, deal, event, meta, pv)
    if isinstance(event, deal_events.DealApproved) and deal is not None:
        return Outcome(partner=partner, deals={deal.deal_id: evolve(deal, approved_on=event.approved_on)})
    if isinstance(event, deal_events.DealInfluenceRecorded) and deal is not None:
        influence = (*deal.influence, (event.kind.value, event.occurred_on))
        return Outcome(partner=partner, deals={deal.deal_id: evolve(deal, influence=influence)})
    if isinstance(event, EngagementRecorded):
        pv = _in_force(partner, catalog, day, meta)
        partner = add_points(partner, event.occurred_on, pv.program.engagement_points.get(event.kind.value, 0))
        partner, made = evaluate(partner, pv, event.occurred_on, meta.event_id)
        return Outcome(partner=partner, announcements=made)
    if isinstance(event, PartnerUpdated) and event.program_id != partner.program_id:
        partner = evolve(partner, program_id=event.program_id)
        switched = catalog.for_partner(partner.partner_id, partner.program_id, day, meta.recorded_at)
        if switched is None:
            return Outcome(partner=partner)
        partner, made = evaluate(partner, switched, day, meta.event_id)
        return Outcome(partner=partner, announcements=made)
    return Outcome(partner=partner)


def _enrolled(partner: PartnerLedger, event: PartnerEnrolled, meta: EventMeta, catalog: Catalog) -> Outcome:
    if partner.enrolled:
        return Outcome(partner=partner)  # enrolment is once; program changes come as partner.updated
    partner = evolve(
        partner, program_id=event.program_id, enrolled_on=event.enrolled_on, reviewed_through=event.enrolled_on
    )
    pv = catalog.for_partner(partner.partner_id, event.program_id, event.enrolled_on, meta.recorded_at)
    if pv is None:
        return Outcome(partner=partner)
    partner, made = evaluate(partner, pv, event.enrolled_on, meta.event_id)
    return Outcome(partner=partner, announcements=made)


def _accrual_rate(partner: PartnerLedger, deal: DealRecord, catalog: Catalog, meta: EventMeta) -> Decimal | None:
    """The MDF accrual rate (a fraction) of the program version that priced the deal's win."""
    won = deal.won
    if won is None:
        return None
    pv = catalog.for_partner(partner.partner_id, won.program_id, won.closed_on, meta.recorded_at)
    rule = pv.program.mdf_accrual if pv is not None else None
    return rule.percent / 100 if rule is not None else None


def _in_force(partner: PartnerLedger, catalog: Catalog, day: date, meta: EventMeta) -> ProgramVersion:
    pv = catalog.for_partner(partner.partner_id, partner.program_id, day, meta.recorded_at)
    if pv is None:
        raise NoProgramInForce(
            f"no published version of program {partner.program_id} is in force on {day} "
            f"for an event recorded at {meta.recorded_at.isoformat()}; publish one (a correction if it is "
            f"effective in the past) and re-drive this event"
        )
    return pv
