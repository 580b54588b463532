"""Applying CRM notifications: de-duplicate, merge by version, then step the deal to the CRM's truth.

Each notification runs in its own savepoint: one that cannot be applied (an unknown partner, a
stage the mapping does not know) is recorded with its reason and never undoes the others. How a
whole batch of deliveries is drained (together, or one at a time) is :mod:`.crm_sync`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from ..domain import crm
from ..domain.deal import Deal
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


class Merges:
    """``merge`` and ``desired``, each worked out once per input.

    A batch works out ahead (:func:`registrations_ahead`) the very merges and mappings it then
    applies: the records it starts from are the same objects, so each merge's result is found
    here by the identity of its inputs instead of being worked out again. Every input is kept
    alive by the entry that names it, so an identity is never reused while the cache lives.
    """

    def __init__(self) -> None:
        self._merged: dict[tuple[int, int], tuple[crm.CrmRecord | None, crm.CrmChange, crm.CrmRecord, list[str]]] = {}
        self._wanted: dict[tuple[int, int], tuple[crm.CrmRecord, crm.CrmMapping, crm.DesiredDeal]] = {}

    def merge(
        self, source: str, record: crm.CrmRecord | None, change: crm.CrmChange
    ) -> tuple[crm.CrmRecord, list[str]]:
        """The record (a new one when None) with the change merged, and the fields it changed."""
        key = (id(record), id(change))
        hit = self._merged.get(key)
        if hit is not None and hit[0] is record and hit[1] is change:
            return hit[2], hit[3]
        base = record or crm.CrmRecord(
            source=source, record_id=change.record_id, deal_id=crm.crm_deal_id(source, change.record_id)
        )
        merged, changed = crm.merge(base, change)
        self._merged[key] = (record, change, merged, changed)
        return merged, changed

    def desired(self, record: crm.CrmRecord, mapping: crm.CrmMapping) -> crm.DesiredDeal:
        key = (id(record), id(mapping))
        hit = self._wanted.get(key)
        if hit is not None and hit[0] is record and hit[1] is mapping:
            return hit[2]
        wanted = crm.desired(record, mapping)
        self._wanted[key] = (record, mapping, wanted)
        return wanted


async def apply_changes(
    unit: RegistrationUnit,
    source: str,
    changes: Sequence[crm.CrmChange],
    mapping: crm.CrmMapping,
    policy: RegistrationPolicy,
    merges: Merges | None = None,
) -> list[Outcome]:
    merges = merges or Merges()
    return [await _apply_one(unit, source, change, mapping, policy, merges) for change in changes]


async def _apply_one(
    unit: RegistrationUnit,
    source: str,
    change: crm.CrmChange,
    mapping: crm.CrmMapping,
    policy: RegistrationPolicy,
    merges: Merges,
) -> Outcome:
    if not await unit.crm.claim_delivery(source, change.delivery_id, change.record_id):
        return Outcome(change.delivery_id, change.record_id, "duplicate", "delivery already received")
    await unit.locks.lock_crm_record(source, change.record_id)
    record, changed = merges.merge(source, await unit.crm.get(source, change.record_id), change)
    try:
        # Always step toward the merged record: it is the newest truth, so a stale or repeated
        # delivery moves nothing, and one arriving after a fix (say, the partner enrolled) catches up.
        async with unit.atomically():
            wanted = merges.desired(record, mapping)
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
        await _take(unit, step, deal, policy, actor)
    return "applied", "step limit reached"


async def _take(
    unit: RegistrationUnit, step: crm.Step, deal: Deal | None, policy: RegistrationPolicy, actor: str
) -> None:
    """Take one step on the deal just read (locked): the use case decides on it without reading it again."""
    if isinstance(step, RegisterDeal):
        await register_deals(unit, [step], policy, actor=actor, source=actor)
    elif isinstance(step, ChangeForecast):
        await deal_cases.change_forecast(unit, step, actor=actor, deal=deal)
    elif isinstance(step, ChangeStage):
        await deal_cases.change_stage(unit, step, actor=actor, deal=deal)
    elif isinstance(step, WinDeal):
        await deal_cases.win(unit, step, policy, actor=actor, deal=deal)
    elif isinstance(step, LoseDeal):
        await deal_cases.lose(unit, step, actor=actor, deal=deal)
    elif isinstance(step, ReverseDeal):
        await deal_cases.reverse(unit, step, actor=actor, deal=deal)


def registrations_ahead(
    records: Mapping[tuple[str, str], crm.CrmRecord | None],
    notifications: Iterable[tuple[str, crm.CrmChange]],
    mappings: Mapping[str, crm.CrmMapping],
    registered: Mapping[str, bool],
    now: datetime,
    merges: Merges | None = None,
) -> list[RegisterDeal]:
    """Every registration applying these notifications in order could ask for (a superset).

    ``records`` are the CRM records before the batch (None: not seen yet), ``notifications`` the
    ones that will be applied (duplicates left out), ``registered`` whether each deal exists
    before the batch. Merging is replayed exactly as :func:`apply_changes` merges, and a
    registration is named wherever the merged record describes a deal that did not exist before
    the batch and carries everything a registration needs; the batch path locks and loads what
    these registrations read before it decides anything.
    """
    merges = merges or Merges()
    current = dict(records)
    found: list[RegisterDeal] = []
    for source, change in notifications:
        key = (source, change.record_id)
        record, _ = merges.merge(source, current.get(key), change)
        current[key] = record
        if registered.get(record.deal_id, False):
            continue
        wanted = merges.desired(record, mappings[source])
        if wanted.problems:
            continue
        step = crm.next_step(wanted, None, deal_id=record.deal_id, at=record.modified_at or now, source=source)
        if isinstance(step, RegisterDeal):
            found.append(step)
    return found
