"""Disputes through the HTTP API: a partner opens and escalates its own, staff review and decide,
overdue ones escalate on the daily run, and time to resolution is measured."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
from governance.config import GovernanceSettings
from governance_api import GovernanceApi
from servicekit.testing.clock import SettableClock


def dispute_body(dispute_id: str, partner_id: str = "p-1") -> dict[str, Any]:
    return {
        "dispute_id": dispute_id,
        "partner_id": partner_id,
        "subject_kind": "statement_line",
        "subject_ref": "entry-0c4f",
        "description": "The rebate used 3% instead of 5%.",
        "evidence": [{"reference": "s3://p-1/po.pdf"}],
        "claimed_amount": {"amount": "2400.00", "currency": "EUR"},
    }


async def test_a_dispute_resolved_in_the_partners_favour_carries_its_compensation(
    governance_client: httpx.AsyncClient, governance_settings: GovernanceSettings, clock: SettableClock
) -> None:
    api = GovernanceApi(governance_client, governance_settings)
    own = api.partner("p-1")
    opened = await api.ok("POST", "/disputes", dispute_body("dsp-1"), own)
    assert (opened["status"], opened["level"], opened["opened_on"]) == ("open", 0, "2026-04-01")
    reviewed = await api.ok("POST", "/disputes/dsp-1/review")
    assert reviewed["status"] == "in_review"
    assert (await api.get("/disputes/dsp-1", own))["reviewer"] == "program manager"  # no staff names to partners
    clock.set(date(2026, 4, 18))
    resolved = await api.ok(
        "POST", "/disputes/dsp-1/resolve", {"compensation": {"amount": "2400.00", "currency": "EUR"}, "reason": "5%"}
    )
    assert (resolved["status"], resolved["compensation"], resolved["days_to_resolution"]) == (
        "resolved",
        {"amount": "2400.00", "currency": "EUR"},
        17,
    )
    again = await api.write("POST", "/disputes/dsp-1/reject", {"reason": "no"})
    assert again.status_code == 409
    assert again.json()["allowed"] == []
    assert await api.get("/disputes/resolution-times") == {
        "resolved": 1,
        "open": 0,
        "mean_days": 17.0,
        "median_days": 17.0,
        "max_days": 17,
    }


async def test_unanswered_disputes_escalate_on_the_daily_run_and_a_partner_may_ask(
    governance_client: httpx.AsyncClient, governance_settings: GovernanceSettings, clock: SettableClock
) -> None:
    api = GovernanceApi(governance_client, governance_settings)
    await api.ok("POST", "/disputes", dispute_body("dsp-1"), api.partner("p-1"))
    await api.ok("POST", "/disputes", dispute_body("dsp-2", "p-2"), api.partner("p-2"))
    await api.ok("POST", "/disputes/dsp-2/escalate", {}, api.partner("p-2"))
    clock.set(date(2026, 4, 10))
    assert (await api.ok("POST", "/disputes/escalations"))["escalated"] == []
    clock.set(date(2026, 4, 11))  # 10 days after 04-01: dsp-1 unanswered; dsp-2 was escalated on 04-01 too
    run = await api.ok("POST", "/disputes/escalations")
    assert sorted(run["escalated"]) == ["dsp-1", "dsp-2"]
    levels = {d["dispute_id"]: d["level"] for d in (await api.get("/disputes"))["items"]}
    assert levels == {"dsp-1": 1, "dsp-2": 2}
    top = await api.write("POST", "/disputes/dsp-2/escalate", {}, api.partner("p-2"))
    assert top.status_code == 422


async def test_a_partner_sees_and_escalates_only_its_own_disputes(
    governance_client: httpx.AsyncClient, governance_settings: GovernanceSettings
) -> None:
    api = GovernanceApi(governance_client, governance_settings)
    await api.ok("POST", "/disputes", dispute_body("dsp-1"), api.partner("p-1"))
    other = api.partner("p-2")
    assert (await governance_client.get("/disputes/dsp-1", headers=other)).status_code == 404
    assert (await api.write("POST", "/disputes/dsp-1/escalate", {}, other)).status_code == 404
    assert (await api.write("POST", "/disputes", dispute_body("dsp-9", "p-1"), other)).status_code == 404
    assert (await api.get("/disputes", other))["items"] == []
    assert (await api.write("POST", "/disputes/dsp-1/review", {}, api.partner("p-1"))).status_code == 403
    taken = await api.write("POST", "/disputes", dispute_body("dsp-1", "p-2"), other)
    assert taken.status_code == 409
    assert "p-1" not in taken.text  # the id is unavailable, never whose it is


async def test_bad_input_is_a_problem_naming_the_field(
    governance_client: httpx.AsyncClient, governance_settings: GovernanceSettings
) -> None:
    api = GovernanceApi(governance_client, governance_settings)
    body = {**dispute_body("dsp-1"), "claimed_amount": {"amount": 12.5, "currency": "EUR"}}
    response = await api.write("POST", "/disputes", body, api.partner("p-1"))
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "claimed_amount" in response.text
    no_money = await api.write("POST", "/disputes/dsp-1/resolve", {"reason": "yes"})
    assert no_money.status_code == 422
    assert "compensation" in no_money.text
