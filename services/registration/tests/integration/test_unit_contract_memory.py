"""One contract, SQL and memory: the registration use cases give the same outcomes on the SQL unit
(PostgreSQL) and on the in-memory unit the unit tests use, so a use case tested in memory behaves
the same in production (the CRM batch unit has its own contract test, test_unit_contract)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from incentive_contracts.events.engagement import EngagementKind
from incentive_contracts.events.partner import PartnerType
from incentive_contracts.events.program import ProgramVersionPublished
from registration.adapters.memory import MemoryRegistrationStore
from registration.application import deals, engagements, partners
from registration.application.ports import DealQuery, RegistrationUnit
from registration.application.registering import register_deals
from registration.bootstrap import bootstrap
from registration.domain.approval import Decision
from registration.domain.deal import Stage
from registration.domain.engagement import RecordEngagement
from registration.domain.errors import AlreadyExists, RuleViolation
from registration.domain.partner import EnrollPartner
from registration.domain.policy import RegistrationPolicy
from registration.domain.stages import ChangeStage
from servicekit.units import run_committed

from ..unit.builders import register
from .helpers import fetch

POLICY = RegistrationPolicy()
DAY = date(2026, 3, 2)
UseCase = Callable[[RegistrationUnit], Awaitable[Any]]


def enrol(partner_id: str, program_id: str = "default") -> EnrollPartner:
    return EnrollPartner(partner_id, partner_id.title(), PartnerType.RESELLER, "EMEA", None, None, program_id, DAY)


def published(version: int) -> ProgramVersionPublished:
    return ProgramVersionPublished(
        program_id="growth",
        program_version=version,
        label=f"Growth v{version}",
        effective_from=date(2026, 1, 1),
        published_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


async def scenario(run: Callable[[UseCase], Awaitable[Any]]) -> dict[str, Any]:
    """The same use cases in the same units; what a caller can observe of them."""
    seen: dict[str, Any] = {}
    with pytest.raises(RuleViolation):  # not published yet
        await run(lambda unit: partners.enroll_partner(unit, enrol("gamma", "growth"), actor="m"))
    await run(lambda unit: unit.programs.record_published([published(2), published(1)]))
    for partner_id, program_id in (("acme", "default"), ("beta", "default"), ("gamma", "growth")):
        await run(lambda unit, p=partner_id, g=program_id: partners.enroll_partner(unit, enrol(p, g), actor="m"))
    first = [register("d1", "acme"), register("d3", "acme", customer_name="Initech", customer_domain="initech.example")]
    registered = await run(lambda unit: register_deals(unit, first, POLICY, actor="m"))
    rival = await run(lambda unit: register_deals(unit, [register("d2", "beta")], POLICY, actor="m"))
    seen["registered"] = [(d.deal_id, d.status.value) for d in registered + rival]
    with pytest.raises(AlreadyExists):
        await run(lambda unit: register_deals(unit, [register("d1", "beta")], POLICY, actor="m"))
    awarded = await run(lambda unit: deals.award(unit, Decision("d1", "m", DAY, "first"), POLICY))
    seen["awarded"] = awarded.status.value
    moved = await run(
        lambda unit: deals.change_stage(
            unit, ChangeStage("d3", Stage.QUALIFIED, datetime(2026, 3, 10, tzinfo=UTC)), actor="m"
        )
    )
    seen["moved"] = (moved.stage.value, moved.status.value)
    expired = await run(lambda unit: deals.expire(unit, date(2026, 9, 1), POLICY, actor="cli:expire"))
    seen["expired"] = sorted(d.deal_id for d in expired)
    page = await run(lambda unit: deals.list_deals(unit, DealQuery(limit=2)))
    rest = await run(lambda unit: deals.list_deals(unit, DealQuery(limit=2, cursor=page.next_cursor)))
    seen["pages"] = ([d.deal_id for d in page.items], [d.deal_id for d in rest.items], rest.next_cursor)
    seen["deals"] = {d.deal_id: (d.status.value, d.stage.value) for d in page.items + rest.items}
    seen["history"] = [h.event_type for h in await run(lambda unit: deals.history(unit, "d2"))]
    command = RecordEngagement("e1", "acme", EngagementKind.CERTIFICATION, DAY, "cert-1", DAY)
    await run(lambda unit: engagements.record_engagement(unit, command, actor="m"))
    partner_page = await run(lambda unit: partners.list_partners(unit, partners.PartnerQuery(limit=2)))
    seen["partners"] = ([p.partner_id for p in partner_page.items], partner_page.next_cursor is not None)
    return seen


async def test_the_sql_and_the_in_memory_unit_keep_one_contract(registration_settings, clock):
    container = bootstrap(registration_settings, clock=clock)

    try:
        in_postgres = await scenario(
            lambda use_case: run_committed(container.runtime.uow_factory, container.unit, use_case)
        )
    finally:
        await container.runtime.close()
    store = MemoryRegistrationStore(clock)
    in_memory = await scenario(store.run)

    assert in_memory == in_postgres
    assert in_postgres["registered"] == [("d1", "approved"), ("d3", "approved"), ("d2", "conflict")]
    assert in_postgres["deals"]["d2"] == ("rejected", "registered")  # the award rejected the rival
    assert in_postgres["expired"] == ["d1", "d3"]
    assert in_postgres["pages"] == (["d1", "d3"], ["d2"], None)
    outbox = await fetch(registration_settings, "SELECT event_type FROM outbox ORDER BY id")
    assert [e.event_type for e in store.published] == [r["event_type"] for r in outbox]
