"""Joint plans through the HTTP API: draft, sign by both sides, revise into a new version, record
held rituals, read cadence and progress; what was stored and emitted (the outbox)."""

from __future__ import annotations

from datetime import date

import asyncpg
import httpx
from governance.config import GovernanceSettings
from governance_api import GovernanceApi, plan_body
from servicekit.db import sync_url


async def outbox_types(settings: GovernanceSettings) -> list[str]:
    conn = await asyncpg.connect(sync_url(settings.database_url))
    try:
        return [r["event_type"] for r in await conn.fetch("SELECT event_type FROM outbox ORDER BY id")]
    finally:
        await conn.close()


async def test_a_plan_is_drafted_signed_by_both_sides_and_a_change_is_a_new_version(
    governance_client: httpx.AsyncClient, governance_settings: GovernanceSettings
) -> None:
    api = GovernanceApi(governance_client, governance_settings)
    drafted = await api.ok("POST", "/plans", plan_body("plan-p1", "p-1"))
    assert (drafted["plan_version"], drafted["status"]) == (1, "draft")

    own = api.partner("p-1")
    partly = await api.ok("POST", "/plans/plan-p1/signatures", {"plan_version": 1}, own)
    assert partly["status"] == "partly_signed"
    assert partly["signatures"] == [{"side": "partner", "signed_by": "partner:p-1:p-1-user"}]
    signed = await api.ok("POST", "/plans/plan-p1/signatures", {"plan_version": 1})
    assert (signed["status"], signed["signed_versions"]) == ("signed", [1])

    changed = {k: v for k, v in plan_body("plan-p1", "p-1").items() if k not in ("plan_id", "partner_id", "year")}
    changed["target_segments"] = ["enterprise automotive"]
    revised = await api.ok("PUT", "/plans/plan-p1/content", changed, own)
    assert (revised["plan_version"], revised["status"], revised["signed_versions"]) == (2, "draft", [1])

    stale = await api.write("POST", "/plans/plan-p1/signatures", {"plan_version": 1})
    assert stale.status_code == 409
    assert stale.headers["content-type"].startswith("application/problem+json")

    assert await outbox_types(governance_settings) == [
        "governance.plan_drafted",
        "governance.plan_signed",
        "governance.plan_signed",
        "governance.plan_revised",
    ]


async def test_held_rituals_show_in_cadence_and_criteria_progress(
    governance_client: httpx.AsyncClient, governance_settings: GovernanceSettings
) -> None:
    api = GovernanceApi(governance_client, governance_settings)
    await api.ok("POST", "/plans", plan_body("plan-p1", "p-1"))
    await api.ok("POST", "/plans/plan-p1/activities/asp/completion", {"completed_on": "2026-02-03"})
    # The clock says 2026-04-01: asp was held late, qbr-q1 (due 03-31) missed, qbr-q2 ahead.
    detail = await api.get("/plans/plan-p1", api.partner("p-1"))
    assert [(c["activity_id"], c["state"]) for c in detail["cadence"]] == [
        ("asp", "held_late"),
        ("qbr-q1", "missed"),
        ("qbr-q2", "upcoming"),
    ]
    assert detail["cadence_totals"] == {"held_on_time": 0, "held_late": 1, "missed": 1, "upcoming": 1}
    # One ritual held of the four targeted: 25 %.
    assert [(p["criterion_id"], p["actual"], p["percent"], p["met"]) for p in detail["criteria_progress"]] == [
        ("rituals", "1.0000", "25.0", False)
    ]
    future = await api.write("POST", "/plans/plan-p1/activities/qbr-q2/completion", {"completed_on": "2026-05-01"})
    assert future.status_code == 422
    assert "completed_on" in future.text


async def test_one_plan_per_partner_and_year_and_extension_into_the_next(
    governance_client: httpx.AsyncClient, governance_settings: GovernanceSettings
) -> None:
    api = GovernanceApi(governance_client, governance_settings)
    await api.ok("POST", "/plans", plan_body("plan-p1", "p-1"))
    again = await api.write("POST", "/plans", plan_body("plan-p1-bis", "p-1"))
    assert again.status_code == 409
    extended = await api.ok("POST", "/plans/plan-p1/extend", {"plan_id": "plan-p1-2027"}, api.partner("p-1"))
    assert extended["year"] == 2027
    assert [a["due_on"] for a in extended["content"]["activities"]] == ["2027-01-31", "2027-03-31", "2027-06-30"]
    listed = await api.get("/plans", api.partner("p-1"))
    assert [p["plan_id"] for p in listed["items"]] == ["plan-p1", "plan-p1-2027"]
    assert date.fromisoformat(extended["content"]["activities"][0]["due_on"]).year == 2027


async def test_a_partner_reaches_only_its_own_plans(
    governance_client: httpx.AsyncClient, governance_settings: GovernanceSettings
) -> None:
    api = GovernanceApi(governance_client, governance_settings)
    await api.ok("POST", "/plans", plan_body("plan-p1", "p-1"))
    other = api.partner("p-2")
    assert (await governance_client.get("/plans/plan-p1", headers=other)).status_code == 404
    assert (await api.write("POST", "/plans/plan-p1/signatures", {"plan_version": 1}, other)).status_code == 404
    assert (await api.write("POST", "/plans", plan_body("plan-x", "p-1"), other)).status_code == 404
    assert (await governance_client.get("/plans", headers=other, params={"partner_id": "p-1"})).status_code == 404
    assert (await api.get("/plans", other))["items"] == []
    vendor = await api.write(
        "POST", "/plans/plan-p1/signatures", {"plan_version": 1, "side": "vendor"}, api.partner("p-1")
    )
    assert vendor.status_code == 403
