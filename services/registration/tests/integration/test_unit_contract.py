"""One contract for both RegistrationUnits: the SQL unit (statement by statement, real savepoints)
and the CRM batch unit (state loaded up front by the batch's set-based reads, writes in memory,
savepoints as an undo journal, flushed in bulk).

The same use cases run on each inside one transaction, and the same assertions hold: what the
repositories answer while the transaction is open, and what the database holds once it commits
(deals, their history, the outbox, CRM records, claimed notification ids). The batch unit is
prepared the way the crm-sync worker prepares it, for exactly the keys the scenario touches.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime

import pytest
from registration.adapters.crm_batch import SqlCrmBatch
from registration.adapters.unit import SqlRegistrationUnit
from registration.application import deals as deal_cases
from registration.application.ports import RegistrationUnit
from registration.application.registering import register_deals
from registration.domain.crm import CrmChange, CrmRecord
from registration.domain.deal import Stage
from registration.domain.errors import RuleViolation
from registration.domain.policy import RegistrationPolicy
from registration.domain.stages import ChangeStage
from servicekit.container import app_container
from servicekit.unit_of_work import UnitOfWork

from ..unit.builders import register as register_command
from .helpers import enroll, fetch, register

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
MOVED = datetime(2026, 3, 10, tzinfo=UTC)
POLICY = RegistrationPolicy()
NEW = register_command("d-new", "acme")
NOTIFICATION = CrmChange(record_id="r1", delivery_id="n1", version=1, occurred_at=NOW, fields={})
Finish = Callable[[], Awaitable[None]]


@asynccontextmanager
async def sql_unit(uow: UnitOfWork, clock: object) -> AsyncIterator[tuple[RegistrationUnit, Finish]]:
    async def nothing_left() -> None:
        return None

    yield SqlRegistrationUnit(uow, clock), nothing_left  # type: ignore[arg-type]


@asynccontextmanager
async def batch_unit(uow: UnitOfWork, clock: object) -> AsyncIterator[tuple[RegistrationUnit, Finish]]:
    batch = SqlCrmBatch(uow.conn, clock)  # type: ignore[arg-type]
    assert await batch.new_notifications([("generic", NOTIFICATION)]) == {("generic", "n1")}
    await batch.load_records([("generic", "r1")])
    await batch.load_for_registrations([NEW], POLICY)
    await batch.load_deals(["d-old", "d-new"])

    async def flush() -> None:
        await batch.flush()
        for event, at, event_id in batch.events:
            uow.publish(event, time=at, event_id=event_id)

    yield batch.unit, flush


@pytest.mark.parametrize("unit_of", [sql_unit, batch_unit], ids=["sql-unit", "batch-unit"])
async def test_both_units_keep_one_contract(registration_client, registration_settings, clock, unit_of):
    client, settings = registration_client, registration_settings
    app = client._transport.app  # type: ignore[attr-defined]
    await enroll(client, settings, "acme")
    await register(client, settings, "d-old", "acme", customer_name="Other Corp", customer_domain="other.example")
    outbox_before = len(await fetch(settings, "SELECT 1 FROM outbox"))

    async with app_container(app).runtime.uow_factory() as uow, unit_of(uow, clock) as (unit, finish):
        await _claims_a_notification_id_once(unit)
        await _registers_and_moves_deals(unit)
        await _undoes_a_failed_block_with_its_nested_blocks(unit)
        await _saves_records_and_outcomes(unit)
        await finish()
        await uow.commit()

    deals = await fetch(settings, "SELECT deal_id, stage, status, source FROM deals ORDER BY deal_id")
    assert [tuple(r) for r in deals] == [
        ("d-new", "approved", "approved", "crm:generic"),
        ("d-old", "qualified", "approved", "api"),
    ]
    history = await fetch(settings, "SELECT deal_id, event_type, actor FROM deal_history ORDER BY id")
    assert [tuple(r) for r in history][-3:] == [
        ("d-new", "deal.registered", "crm:generic"),
        ("d-new", "deal.approved", "crm:generic"),
        ("d-old", "deal.stage_changed", "crm:generic"),
    ]
    outbox = await fetch(settings, "SELECT event_type FROM outbox ORDER BY id")
    assert [r["event_type"] for r in outbox][outbox_before:] == [
        "deal.registered",
        "deal.approved",
        "deal.stage_changed",
    ]
    records = await fetch(settings, "SELECT source, record_id, deal_id, outcome FROM crm_records")
    assert [tuple(r) for r in records] == [("generic", "r1", "d-new", "applied: in step")]
    claims = await fetch(settings, "SELECT source, delivery_id, record_id, outcome FROM webhook_deliveries")
    assert [tuple(r) for r in claims] == [("generic", "n1", "r1", "applied")]


async def _claims_a_notification_id_once(unit: RegistrationUnit) -> None:
    assert await unit.crm.claim_delivery("generic", "n1", "r1") is True
    assert await unit.crm.claim_delivery("generic", "n1", "r1") is False
    await unit.locks.lock_crm_record("generic", "r1")
    assert await unit.crm.get("generic", "r1") is None


async def _registers_and_moves_deals(unit: RegistrationUnit) -> None:
    assert await unit.deals.get("d-new") is None
    async with unit.atomically():
        [registered] = await register_deals(unit, [NEW], POLICY, actor="crm:generic", source="crm:generic")
    assert await unit.deals.get("d-new", for_update=True) == registered
    known = await unit.deals.known_registrations([NEW.identity], date(2026, 1, 1))
    assert [k.deal_id for k in known] == ["d-new"]
    assert await unit.deals.daily_counts(["acme"], date(2026, 2, 1), NEW.registered_on) == {
        ("acme", NEW.registered_on): 2  # d-old, registered the same day through the API, and d-new
    }
    old = await unit.deals.get("d-old", for_update=True)
    assert old is not None
    assert old.stage is Stage.APPROVED
    moved = await deal_cases.change_stage(
        unit, ChangeStage("d-old", Stage.QUALIFIED, MOVED), actor="crm:generic", deal=old
    )
    assert await unit.deals.get("d-old", for_update=True) == moved


async def _undoes_a_failed_block_with_its_nested_blocks(unit: RegistrationUnit) -> None:
    before = await unit.deals.get("d-new", for_update=True)

    async def refused_after_a_few_steps() -> None:
        async with unit.atomically():
            async with unit.atomically():  # succeeded, then undone with its parent
                await deal_cases.change_stage(unit, ChangeStage("d-new", Stage.QUALIFIED, MOVED), actor="crm:generic")
            await unit.crm.save(CrmRecord("generic", "r1", "d-new"), "applied: too early")
            raise RuleViolation("a later step was refused")

    with pytest.raises(RuleViolation):
        await refused_after_a_few_steps()
    assert await unit.deals.get("d-new", for_update=True) == before
    assert await unit.crm.get("generic", "r1") is None


async def _saves_records_and_outcomes(unit: RegistrationUnit) -> None:
    record = CrmRecord("generic", "r1", "d-new", {"stage": "open"}, {"stage": 1}, NOW)
    await unit.crm.save(record, "applied: in step")
    assert await unit.crm.get("generic", "r1") == record
    await unit.crm.set_delivery_outcome("generic", "n1", "applied")
