"""The batch unit's savepoints: what a failed ``atomically`` block did is undone, in memory, exactly
as a rolled-back savepoint undoes its writes; what a block that succeeded did stays."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from incentive_contracts.events.deal import DealStageChanged
from registration.adapters.crm_batch import BatchState, BatchUnit, NotPrepared
from registration.domain import deal as model
from registration.domain.crm import CrmRecord
from registration.domain.errors import RuleViolation
from registration.domain.policy import RegistrationPolicy
from registration.domain.registration import RegistrationBook

from .builders import approved_deal, at_stage, partner, register

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


class Clock:
    def now(self) -> datetime:
        return NOW


def loaded() -> BatchState:
    state = BatchState()
    state.deals = {"d1": approved_deal("d1"), "d2": None}
    state.existed = {"d1"}
    state.records = {("generic", "r1"): None}
    state.asked = {("generic", "n1")}
    state.fresh = {("generic", "n1")}
    return state


def stage_changed(deal_id: str) -> DealStageChanged:
    return DealStageChanged(
        partner_id="acme",
        deal_id=deal_id,
        from_stage="approved",
        to_stage="qualified",
        changed_at=NOW,
        forecast_close=date(2026, 6, 30),
        source="crm:generic",
    )


def snapshot(state: BatchState) -> tuple:
    return (
        dict(state.deals),
        list(state.new_deals),
        set(state.updated),
        list(state.history),
        list(state.events),
        {k: dict(v) for k, v in state.daily.items()},
        dict(state.known),
        {k: set(v) for k, v in state.by_key.items()},
        dict(state.records),
        dict(state.saved_records),
        set(state.fresh),
    )


async def test_a_failed_block_leaves_nothing_behind_and_a_good_one_keeps_everything():
    state = loaded()
    unit = BatchUnit(state, Clock())
    assert await unit.crm.claim_delivery("generic", "n1", "r1")
    before = snapshot(state)
    new = model.fold(RegistrationBook(RegistrationPolicy()).decide(register("d2"), partner()))
    assert new is not None

    async def refused_after_a_few_steps() -> None:
        async with unit.atomically():
            await unit.deals.save_many([new], source="crm:generic")
            await unit.deals.save(at_stage(model.Stage.QUALIFIED, deal_id="d1"))
            async with unit.atomically():  # a nested block that succeeded is undone with its parent
                await unit.emit([stage_changed("d1")], actor="crm:generic")
            await unit.crm.save(CrmRecord("generic", "r1", "d2"), "applied")
            raise RuleViolation("a later step was refused")

    with pytest.raises(RuleViolation):
        await refused_after_a_few_steps()
    assert snapshot(state) == before
    assert await unit.deals.get("d2") is None

    async with unit.atomically():
        await unit.deals.save_many([new], source="crm:generic")
        await unit.emit([stage_changed("d1")], actor="crm:generic")
    assert state.new_deals == ["d2"]
    assert state.new_source == {"d2": "crm:generic"}
    assert [e[0].deal_id for e in state.events] == ["d1"]
    assert [h[0] for h in state.history] == ["d1"]
    assert state.daily == {"acme": {new.registered_on: 1}}
    assert (await unit.deals.get("d2")) == new


async def test_what_was_not_loaded_is_never_guessed():
    unit = BatchUnit(loaded(), Clock())
    with pytest.raises(NotPrepared):
        await unit.deals.get("d9")
    with pytest.raises(NotPrepared):
        await unit.crm.get("generic", "r9")
    with pytest.raises(NotPrepared):
        await unit.crm.claim_delivery("generic", "n9", "r1")
    with pytest.raises(NotPrepared):
        await unit.partners.get_many(["acme"])
    with pytest.raises(NotPrepared):
        await unit.deals.known_registrations([register().identity], date(2026, 1, 1))
    with pytest.raises(NotPrepared):
        await unit.locks.lock_customers([register().identity])
    with pytest.raises(NotPrepared):  # registering a deal that exists: one by one gives the database's error
        await unit.deals.save_many([approved_deal("d1")], source="crm:generic")
