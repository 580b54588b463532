"""Governance's own scopes: ``governance:write`` manages the relationship, ``governance:read`` reads
it, and the program office (``program:admin``) takes the program's decisions without managing plans."""

from __future__ import annotations

import httpx
from governance.config import GovernanceSettings
from governance_api import GovernanceApi
from servicekit.testing.client import auth_header

PLAN = {"plan_id": "plan-p-1", "partner_id": "p-1", "year": 2026}
DISPUTE = {
    "dispute_id": "dsp-1",
    "partner_id": "p-1",
    "subject_kind": "missing_reward",
    "subject_ref": "deal-9",
    "description": "The won deal earned nothing.",
}


async def test_the_program_office_decides_disputes_and_answers_proposals_but_manages_no_plans(
    governance_client: httpx.AsyncClient, governance_settings: GovernanceSettings
) -> None:
    api = GovernanceApi(governance_client, governance_settings)
    office = api.program_office
    await api.ok("POST", "/disputes", DISPUTE, api.partner("p-1"))
    proposal = {"proposal_id": "prop-1", "partner_id": "p-1", "program_id": "default", "title": "T", "text": "x"}
    await api.ok("POST", "/proposals", proposal, api.partner("p-1"))

    assert (await api.write("POST", "/plans", PLAN, office)).status_code == 403
    assert (await api.write("POST", "/disputes/dsp-1/review", {}, office)).status_code == 403
    rejected = await api.ok("POST", "/disputes/dsp-1/reject", {"reason": "not eligible"}, office)
    assert (rejected["status"], rejected["reason"]) == ("rejected", "not eligible")
    answered = await api.ok(
        "POST", "/proposals/prop-1/answers", {"status": "under_consideration", "answer": "noted"}, office
    )
    assert answered["status"] == "under_consideration"
    assert (await api.get("/disputes/dsp-1", office))["status"] == "rejected"


async def test_governance_read_reads_every_partner_and_changes_nothing(
    governance_client: httpx.AsyncClient, governance_settings: GovernanceSettings
) -> None:
    api = GovernanceApi(governance_client, governance_settings)
    await api.ok("POST", "/plans", PLAN)
    await api.ok("POST", "/disputes", DISPUTE, api.partner("p-1"))

    assert [p["plan_id"] for p in (await api.get("/plans", api.reader))["items"]] == ["plan-p-1"]
    assert (await api.get("/disputes/dsp-1", api.reader))["status"] == "open"
    for method, path, body in [
        ("POST", "/plans", {**PLAN, "plan_id": "plan-p-2", "year": 2027}),
        ("POST", "/disputes/dsp-1/review", {}),
        ("POST", "/disputes/dsp-1/reject", {"reason": "no"}),
        ("POST", "/benefits/evaluations", {}),
    ]:
        assert (await api.write(method, path, body, api.reader)).status_code == 403, path
    ledger_reader = auth_header(governance_settings, "ledger:read")
    assert (await governance_client.get("/disputes", headers=ledger_reader)).status_code == 403
    assert (await api.get("/disputes/dsp-1"))["status"] == "open"
