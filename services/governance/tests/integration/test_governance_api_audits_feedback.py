"""Spot audits and partner feedback through the HTTP API."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import httpx
from governance.adapters.unit import SqlGovernanceUnit
from governance.config import GovernanceSettings
from governance.domain.audit import AuditCandidate, sample
from governance.entrypoints.consumer import ACTIVITY_FEED
from governance_api import GovernanceApi
from incentive_contracts.builtin_program import builtin_announcement


async def add_population(settings: GovernanceSettings, candidates: list[AuditCandidate]) -> None:
    """The population, and version 1 of the program sampling 20 % (as the ledger would announce it)."""
    twenty = builtin_announcement().model_copy(update={"program_version": 1, "spot_audit_rate": "0.2"})
    factory = ACTIVITY_FEED.uow_factory(settings, pool_size=1)
    try:
        async with factory() as uow:
            await SqlGovernanceUnit(uow).programs.add(twenty)
            await SqlGovernanceUnit(uow).population.add(candidates)
            await uow.commit()
    finally:
        await factory.engine.dispose()


async def test_the_period_sample_is_drawn_once_and_a_failed_item_asks_for_its_flag(
    governance_client: httpx.AsyncClient, governance_settings: GovernanceSettings
) -> None:
    api = GovernanceApi(governance_client, governance_settings)
    population = [AuditCandidate("deal", f"d-{n}", f"p-{n % 2}", "2026-Q1") for n in range(10)]
    population += [AuditCandidate("mdf_claim", "c-1", "p-1", "2026-Q1")]
    await add_population(governance_settings, population)
    drawn = await api.ok("POST", "/audits", {"period": "2026-Q1", "seed": "s-1"})
    expected = sample(population, Decimal("0.2"), "s-1", "2026-Q1")  # ceil(0.2 x 11) = 3
    assert sorted((i["item_kind"], i["item_id"]) for i in drawn["items"]) == sorted(
        (c.kind, c.item_id) for c in expected
    )
    assert len(drawn["items"]) == 3
    assert (await api.write("POST", "/audits", {"period": "2026-Q1"})).status_code == 409
    first, second = drawn["items"][0], drawn["items"][1]
    path = f"/audits/2026-Q1/items/{first['item_kind']}/{first['item_id']}"
    no_reason = await api.write("POST", f"{path}/fail", {})
    assert no_reason.status_code == 422
    failed = await api.ok("POST", f"{path}/fail", {"note": "invoice missing"})
    assert {i["item_id"]: i["status"] for i in failed["items"]}[first["item_id"]] == "failed"
    await api.ok("POST", f"/audits/2026-Q1/items/{second['item_kind']}/{second['item_id']}/confirm", {})
    queue = await api.get("/audits/2026-Q1", api.manager)
    assert sorted(i["status"] for i in queue["items"]) == ["confirmed", "failed", "pending"]
    assert (await governance_client.get("/audits/2026-Q1", headers=api.partner("p-1"))).status_code == 403


async def test_proposals_are_answered_and_listed_per_program(
    governance_client: httpx.AsyncClient, governance_settings: GovernanceSettings
) -> None:
    api = GovernanceApi(governance_client, governance_settings)
    for partner_id, program in (("p-1", "default"), ("p-2", "default"), ("p-1", "pilot")):
        await api.ok(
            "POST",
            "/proposals",
            {
                "proposal_id": f"{partner_id}-{program}",
                "partner_id": partner_id,
                "program_id": program,
                "title": "Count webinars",
                "text": "as enablement",
            },
            api.partner(partner_id),
        )
    answered = await api.ok("POST", "/proposals/p-1-default/answers", {"status": "accepted", "answer": "yes, in 2027"})
    assert (answered["status"], answered["answers"][0]["answered_by"]) == ("accepted", "sam")
    seen_by_partner = await api.get("/proposals/p-1-default", api.partner("p-1"))
    assert seen_by_partner["answers"][0]["answered_by"] == "program manager"
    listed = await api.get("/proposals", api.reader, program_id="default")
    assert [p["proposal_id"] for p in listed["items"]] == ["p-1-default", "p-2-default"]
    own = await api.get("/proposals", api.partner("p-2"))
    assert [p["proposal_id"] for p in own["items"]] == ["p-2-default"]
    closed = await api.write("POST", "/proposals/p-1-default/answers", {"status": "declined", "answer": "no"})
    assert closed.status_code == 409
    assert date.fromisoformat(answered["submitted_on"]) == date(2026, 4, 1)
