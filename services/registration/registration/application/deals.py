"""Use cases on one deal (or a conflict group): approval, stages, influence, flags, expiry, reads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from incentive_contracts.payload import EventPayload

from ..domain import deal as model
from ..domain import stages
from ..domain.approval import Decision, decide_approve, decide_award, decide_award_direct, decide_reject
from ..domain.errors import AlreadyExists, NotFound, RuleViolation
from ..domain.flag_review import ConfirmFlag, FailAudit, decide_audit_failure, decide_confirm_flag
from ..domain.influence import ClearFlag, RecordInfluence, decide_clear_flag, decide_record_influence
from ..domain.policy import RegistrationPolicy
from ..domain.registration import DirectDeal
from .ports import DealQuery, HistoryEntry, Page, RegistrationUnit


async def load(unit: RegistrationUnit, deal_id: str, *, for_update: bool = True) -> model.Deal:
    """The deal (locked for update unless asked not to), or NotFound.

    The stage use cases take a deal their caller has just read this way (the CRM path reads it to
    decide its next step) instead of reading it again.
    """
    deal = await unit.deals.get(deal_id, for_update=for_update)
    if deal is None:
        raise NotFound(f"deal {deal_id} not found")
    return deal


async def apply(unit: RegistrationUnit, deal: model.Deal, events: Sequence[EventPayload], *, actor: str) -> model.Deal:
    """Fold the events into the deal, save it, and emit them (a no-op when there are none)."""
    if not events:
        return deal
    state = model.fold(list(events), deal)
    assert state is not None
    await unit.deals.save(state)
    await unit.emit(events, actor=actor)
    return state


async def approve(unit: RegistrationUnit, command: Decision) -> model.Deal:
    deal = await load(unit, command.deal_id)
    return await apply(unit, deal, decide_approve(deal, command), actor=command.by)


async def reject(unit: RegistrationUnit, command: Decision) -> model.Deal:
    deal = await load(unit, command.deal_id)
    return await apply(unit, deal, decide_reject(deal, command), actor=command.by)


async def award(unit: RegistrationUnit, command: Decision, policy: RegistrationPolicy) -> model.Deal:
    """Award a conflict to one registration; the rival registrations are rejected with the reason."""
    winner = await load(unit, command.deal_id, for_update=False)
    await unit.locks.lock_customers([winner.identity])
    winner = await load(unit, command.deal_id)
    rivals = await unit.deals.rivals(winner.identity, winner.product_key)
    directs = await unit.direct_deals.matching([winner.identity])
    events = decide_award(winner, rivals, directs, command, policy.exclusivity_days)
    by_id = {r.deal_id: r for r in rivals}
    for deal_id in dict.fromkeys(_deal_of(e) for e in events if _deal_of(e) != winner.deal_id):
        await apply(unit, by_id[deal_id], [e for e in events if _deal_of(e) == deal_id], actor=command.by)
    released = [r for e in events for r in getattr(e, "released_direct_deals", [])]
    if released:
        await unit.direct_deals.release(released, "released")
    return await apply(unit, winner, [e for e in events if _deal_of(e) == winner.deal_id], actor=command.by)


def _deal_of(event: EventPayload) -> str:
    return str(getattr(event, "deal_id", ""))


async def add_direct_deal(
    unit: RegistrationUnit,
    direct: DirectDeal,
    *,
    customer_name: str,
    product_line: str,
    created_by: str,
    note: str | None,
) -> DirectDeal:
    await unit.locks.lock_customers([direct.identity])
    if await unit.direct_deals.get(direct.direct_deal_id) is not None:
        raise AlreadyExists(f"direct deal {direct.direct_deal_id} already exists")
    await unit.direct_deals.add(
        direct, customer_name=customer_name, product_line=product_line, created_by=created_by, note=note
    )
    return direct


async def award_direct(
    unit: RegistrationUnit, direct_deal_id: str, command: Decision, policy: RegistrationPolicy
) -> list[model.Deal]:
    direct = await unit.direct_deals.get(direct_deal_id)
    if direct is None:
        raise NotFound(f"direct deal {direct_deal_id} not found")
    await unit.locks.lock_customers([direct.identity])
    rivals = await unit.deals.rivals(direct.identity, direct.product_key)
    events = decide_award_direct(direct, rivals, command, policy.exclusivity_days)
    by_id = {r.deal_id: r for r in rivals}
    rejected = []
    for event in events:
        rejected.append(await apply(unit, by_id[_deal_of(event)], [event], actor=command.by))
    return rejected


async def change_stage(
    unit: RegistrationUnit, command: stages.ChangeStage, *, actor: str, deal: model.Deal | None = None
) -> model.Deal:
    deal = deal if deal is not None else await load(unit, command.deal_id)
    return await apply(unit, deal, stages.decide_stage_change(deal, command), actor=actor)


async def win(
    unit: RegistrationUnit,
    command: stages.WinDeal,
    policy: RegistrationPolicy,
    *,
    actor: str,
    deal: model.Deal | None = None,
) -> model.Deal:
    deal = deal if deal is not None else await load(unit, command.deal_id)
    return await apply(unit, deal, stages.decide_win(deal, command, policy.anomalies), actor=actor)


async def lose(
    unit: RegistrationUnit, command: stages.LoseDeal, *, actor: str, deal: model.Deal | None = None
) -> model.Deal:
    deal = deal if deal is not None else await load(unit, command.deal_id)
    return await apply(unit, deal, stages.decide_lose(deal, command), actor=actor)


async def reverse(
    unit: RegistrationUnit, command: stages.ReverseDeal, *, actor: str, deal: model.Deal | None = None
) -> model.Deal:
    deal = deal if deal is not None else await load(unit, command.deal_id)
    return await apply(unit, deal, stages.decide_reverse(deal, command), actor=actor)


async def change_forecast(
    unit: RegistrationUnit, command: stages.ChangeForecast, *, actor: str, deal: model.Deal | None = None
) -> model.Deal:
    deal = deal if deal is not None else await load(unit, command.deal_id)
    return await apply(unit, deal, stages.decide_forecast(deal, command), actor=actor)


async def record_influence(unit: RegistrationUnit, command: RecordInfluence, *, actor: str) -> model.Deal:
    deal = await load(unit, command.deal_id)
    return await apply(unit, deal, decide_record_influence(deal, command), actor=actor)


async def clear_flag(unit: RegistrationUnit, command: ClearFlag) -> model.Deal:
    deal = await load(unit, command.deal_id)
    return await apply(unit, deal, decide_clear_flag(deal, command), actor=command.cleared_by)


async def confirm_flag(unit: RegistrationUnit, command: ConfirmFlag) -> model.Deal:
    deal = await load(unit, command.deal_id)
    return await apply(unit, deal, decide_confirm_flag(deal, command), actor=command.confirmed_by)


async def fail_audit(unit: RegistrationUnit, command: FailAudit) -> model.Deal:
    """A failed spot audit confirms the deal's (audit) flag; NotFound or RuleViolation when it cannot."""
    deal = await load(unit, command.deal_id)
    return await apply(unit, deal, decide_audit_failure(deal, command), actor=command.failed_by)


async def expire(
    unit: RegistrationUnit, as_of: date, policy: RegistrationPolicy, *, actor: str, limit: int = 10000
) -> list[model.Deal]:
    """Expire every approved registration without progress for ``policy.expiry_days`` before ``as_of``."""
    expired = []
    for deal in await unit.deals.stale(as_of, policy.expiry_days, limit):
        events = stages.decide_expire(deal, as_of, policy.expiry_days)
        if events:
            expired.append(await apply(unit, deal, events, actor=actor))
    return expired


async def get(unit: RegistrationUnit, deal_id: str) -> model.Deal:
    return await load(unit, deal_id, for_update=False)


async def get_direct_deal(unit: RegistrationUnit, direct_deal_id: str) -> DirectDeal:
    direct = await unit.direct_deals.get(direct_deal_id)
    if direct is None:
        raise NotFound(f"direct deal {direct_deal_id} not found")
    return direct


async def history(unit: RegistrationUnit, deal_id: str) -> list[HistoryEntry]:
    return await unit.deals.history(deal_id)


async def list_deals(unit: RegistrationUnit, query: DealQuery) -> Page[model.Deal]:
    if query.close_from and query.close_to and query.close_from > query.close_to:
        raise RuleViolation("close_from is after close_to")
    return await unit.deals.list(query)


async def won_deals(
    unit: RegistrationUnit, *, partner_id: str | None, cursor: str | None, limit: int
) -> Page[model.Deal]:
    """Every deal won (reversed or flagged ones included), in registration order: the ledger's
    cross-service reconciliation compares them with its reward entries."""
    return await unit.deals.list(DealQuery(partner_id=partner_id, stage=model.Stage.WON, cursor=cursor, limit=limit))
