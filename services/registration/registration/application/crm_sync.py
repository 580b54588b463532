"""Applying CRM notifications: de-duplicate, merge by version, then step the deal to the CRM's truth.

Each notification runs in its own savepoint: one that cannot be applied (an unknown partner, a
stage the mapping does not know) is recorded with its reason and never undoes the others.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from ..domain import crm
from ..domain.errors import DomainError
from ..domain.policy import RegistrationPolicy
from ..domain.registration import RegisterDeal
from ..domain.stages import ChangeForecast, ChangeStage, LoseDeal, ReverseDeal, WinDeal
from . import deals as deal_cases
from .ports import RegistrationUnit
from .registering import register_deals

MAX_STEPS = 12


@dataclass(frozen=True)
class Outcome:
    delivery_id: str
    record_id: str
    result: str  # applied | unchanged | duplicate | waiting | rejected
    detail: str = ""
    deal_id: str | None = None


async def apply_changes(
    unit: RegistrationUnit,
    source: str,
    changes: Sequence[crm.CrmChange],
    mapping: crm.CrmMapping,
    policy: RegistrationPolicy,
) -> list[Outcome]:
    return [await _apply_one(unit, source, change, mapping, policy) for change in changes]


async def _apply_one(
    unit: RegistrationUnit, source: str, change: crm.CrmChange, mapping: crm.CrmMapping, policy: RegistrationPolicy
) -> Outcome:
    if not await unit.crm.claim_delivery(source, change.delivery_id, change.record_id):
        return Outcome(change.delivery_id, change.record_id, "duplicate", "delivery already received")
    await unit.locks.lock_crm_record(source, change.record_id)
    record = await unit.crm.get(source, change.record_id) or crm.CrmRecord(
        source=source, record_id=change.record_id, deal_id=crm.crm_deal_id(source, change.record_id)
    )
    record, changed = crm.merge(record, change)
    try:
        # Always step toward the merged record: it is the newest truth, so a stale or repeated
        # delivery moves nothing, and one arriving after a fix (say, the partner enrolled) catches up.
        async with unit.atomically():
            wanted = crm.desired(record, mapping)
            if wanted.problems:
                raise DomainError("; ".join(wanted.problems))
            result, detail = await _reconcile(unit, source, record, wanted, policy)
    except (DomainError, ValueError) as exc:  # ValueError: a CRM value no event can carry (pydantic)
        result, detail = "rejected", str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if not changed and result == "waiting":
        result, detail = "unchanged", f"stale or repeated ({detail})"
    await unit.crm.save(record, f"{result}: {detail}" if detail else result)
    await unit.crm.set_delivery_outcome(source, change.delivery_id, f"{result}: {detail}" if detail else result)
    return Outcome(change.delivery_id, change.record_id, result, detail, record.deal_id)


async def _reconcile(
    unit: RegistrationUnit, source: str, record: crm.CrmRecord, wanted: crm.DesiredDeal, policy: RegistrationPolicy
) -> tuple[str, str]:
    actor = f"crm:{source}"
    at = record.modified_at or unit.clock.now()
    for steps in range(MAX_STEPS):
        deal = await unit.deals.get(record.deal_id, for_update=True)
        step = crm.next_step(wanted, deal, deal_id=record.deal_id, at=at, source=source)
        if isinstance(step, crm.Wait):
            return ("applied" if steps else "waiting"), step.reason
        if isinstance(step, RegisterDeal):
            await register_deals(unit, [step], policy, actor=actor, source=actor)
        elif isinstance(step, ChangeForecast):
            await deal_cases.change_forecast(unit, step, actor=actor)
        elif isinstance(step, ChangeStage):
            await deal_cases.change_stage(unit, step, actor=actor)
        elif isinstance(step, WinDeal):
            await deal_cases.win(unit, step, policy, actor=actor)
        elif isinstance(step, LoseDeal):
            await deal_cases.lose(unit, step, actor=actor)
        elif isinstance(step, ReverseDeal):
            await deal_cases.reverse(unit, step, actor=actor)
    return "applied", "step limit reached"


def registrations_ahead(
    records: Mapping[tuple[str, str], crm.CrmRecord | None],
    notifications: Iterable[tuple[str, crm.CrmChange]],
    mappings: Mapping[str, crm.CrmMapping],
    registered: Mapping[str, bool],
    now: datetime,
) -> list[RegisterDeal]:
    """Every registration applying these notifications in order could ask for (a superset).

    ``records`` are the CRM records before the batch (None: not seen yet), ``notifications`` the
    ones that will be applied (duplicates left out), ``registered`` whether each deal exists
    before the batch. Merging is replayed exactly as :func:`apply_changes` merges, and a
    registration is named wherever the merged record describes a deal that did not exist before
    the batch and carries everything a registration needs; the batch path locks and loads what
    these registrations read before it decides anything.
    """
    current = dict(records)
    found: list[RegisterDeal] = []
    for source, change in notifications:
        key = (source, change.record_id)
        record = current.get(key) or crm.CrmRecord(
            source=source, record_id=change.record_id, deal_id=crm.crm_deal_id(source, change.record_id)
        )
        record, _ = crm.merge(record, change)
        current[key] = record
        if registered.get(record.deal_id, False):
            continue
        wanted = crm.desired(record, mappings[source])
        if wanted.problems:
            continue
        step = crm.next_step(wanted, None, deal_id=record.deal_id, at=record.modified_at or now, source=source)
        if isinstance(step, RegisterDeal):
            found.append(step)
    return found
