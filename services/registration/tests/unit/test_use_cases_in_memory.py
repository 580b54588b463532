"""The registration use cases on the in-memory unit (no database): what they store, emit and refuse."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from incentive_contracts.events.partner import PartnerTierChanged, PartnerType
from registration.adapters.memory import MemoryRegistrationStore
from registration.application import deals, partners
from registration.application.registering import register_deals
from registration.domain.approval import Decision
from registration.domain.deal import Stage, Status
from registration.domain.errors import RuleViolation
from registration.domain.partner import EnrollPartner
from registration.domain.policy import RegistrationPolicy
from registration.domain.stages import ChangeStage

from .builders import DAY, register

POLICY = RegistrationPolicy()


class Clock:
    def now(self) -> datetime:
        return datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


async def enrolled(*partner_ids: str) -> MemoryRegistrationStore:
    store = MemoryRegistrationStore(Clock())
    for partner_id in partner_ids:
        command = EnrollPartner(
            partner_id, partner_id.title(), PartnerType.RESELLER, "EMEA", None, None, "default", DAY
        )
        await store.run(lambda unit, c=command: partners.enroll_partner(unit, c, actor="manager"))
    return store


def types(store: MemoryRegistrationStore) -> list[str]:
    return [e.event_type for e in store.published]


async def test_a_registration_is_approved_stored_and_emitted_with_its_history():
    store = await enrolled("acme")
    [deal] = await store.run(lambda unit: register_deals(unit, [register("d1", "acme")], POLICY, actor="acme-user"))
    assert deal.status is Status.APPROVED
    assert store.data.deals["d1"] == deal
    assert types(store) == ["partner.enrolled", "deal.registered", "deal.approved"]
    history = await store.run(lambda unit: deals.history(unit, "d1"))
    assert [(h.event_type, h.actor) for h in history] == [
        ("deal.registered", "acme-user"),
        ("deal.approved", "acme-user"),
    ]


async def test_a_rival_registration_conflicts_and_the_award_rejects_it():
    store = await enrolled("acme", "beta")
    await store.run(lambda unit: register_deals(unit, [register("d1", "acme")], POLICY, actor="m"))
    [rival] = await store.run(lambda unit: register_deals(unit, [register("d2", "beta")], POLICY, actor="m"))
    assert rival.status is Status.CONFLICT
    await store.run(lambda unit: deals.award(unit, Decision("d1", "manager", DAY, "signed with acme"), POLICY))
    assert store.data.deals["d2"].status is Status.REJECTED
    assert store.data.deals["d2"].rejection_reason == "conflict awarded to deal d1: signed with acme"


async def test_a_refused_step_inside_a_block_leaves_no_write_and_no_event():
    store = await enrolled("acme")
    await store.run(lambda unit: register_deals(unit, [register("d1", "acme")], POLICY, actor="m"))
    before = (dict(store.data.deals), types(store))

    async def moved_then_refused(unit):  # type: ignore[no-untyped-def]
        async with unit.atomically():
            moment = datetime(2026, 3, 10, tzinfo=UTC)
            await deals.change_stage(unit, ChangeStage("d1", Stage.QUALIFIED, moment), actor="crm")
            raise RuleViolation("a later step was refused")

    async def refused(unit):  # type: ignore[no-untyped-def]
        with pytest.raises(RuleViolation):
            await moved_then_refused(unit)

    await store.run(refused)
    assert (dict(store.data.deals), types(store)) == before


async def test_a_tier_change_of_an_unknown_partner_is_reported_and_a_stale_one_ignored():
    store = await enrolled("acme")

    def tier(partner_id: str, name: str, effective: date) -> PartnerTierChanged:
        return PartnerTierChanged(
            partner_id=partner_id,
            program_id="default",
            previous_tier=None,
            tier=name,
            effective_at=effective,
            reason="threshold",
            rule_version=1,
        )

    changes = [
        tier("acme", "gold", date(2026, 4, 1)),
        tier("acme", "silver", date(2026, 3, 1)),
        tier("nobody", "gold", date(2026, 4, 1)),
    ]
    unknown = await store.run(lambda unit: partners.apply_tier_changes(unit, changes))
    assert [u.partner_id for u in unknown] == ["nobody"]
    assert store.data.partners["acme"].tier == "gold"
