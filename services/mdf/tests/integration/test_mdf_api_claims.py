"""Claims through the HTTP API: window, caps, proof, partial approval, rejection, reads."""

from __future__ import annotations

from datetime import date

from mdf_api import MdfApi, eur, outbox, position
from servicekit.testing.client import auth_header

FIFTY_FIFTY = [
    {"name": "plan", "trigger": "plan_approved", "percent": "50"},
    {"name": "proof", "trigger": "proof_approved", "percent": "50"},
]


async def approved_request(api: MdfApi, amount: str = "4000.00", **extra) -> None:
    await api.budget("50000.00")
    await api.allocate("acme", "10000.00")
    await api.submit("acme", "r1", amount, **extra)
    await api.approve("r1")


async def test_claims_open_when_the_activity_ends_and_close_after_the_window(mdf_client, mdf_settings, clock):
    api = MdfApi(mdf_client, mdf_settings)
    await approved_request(api)
    body = api.claim_body("c1", "4000.00", "8000.00")
    clock.set(date(2026, 5, 7))
    early = await api.write("POST", "/requests/r1/claims", body, api.partner("acme"))
    assert [v["rule"] for v in early.json()["violations"]] == ["claim_too_early"]
    clock.set(date(2026, 7, 8))
    late = await api.write("POST", "/requests/r1/claims", body, api.partner("acme"))
    assert [v["rule"] for v in late.json()["violations"]] == ["claim_deadline_passed"]
    clock.set(date(2026, 7, 7))
    made = await api.write("POST", "/requests/r1/claims", body, api.partner("acme"))
    assert made.status_code == 201, made.text
    assert made.json()["status"] == "submitted"


async def test_claim_caps_the_approved_amount_and_the_share_rule(mdf_client, mdf_settings, clock):
    api = MdfApi(mdf_client, mdf_settings)
    await approved_request(api)
    clock.set(date(2026, 5, 12))
    body = api.claim_body("c1", "100.00", "200.00")
    assert (await api.write("POST", "/requests/r1/claims", body, api.partner("globex"))).status_code == 404
    read_only = auth_header(mdf_settings, "partner:read", partner_id="acme")
    assert (await api.write("POST", "/requests/r1/claims", body, read_only)).status_code == 403
    over = await api.write(
        "POST", "/requests/r1/claims", api.claim_body("c1", "4000.01", "9000.00"), api.partner("acme")
    )
    assert [v["rule"] for v in over.json()["violations"]] == ["claim_above_approved"]
    # The activity cost only 7000: MDF may pay at most 3500.
    share = await api.write(
        "POST", "/requests/r1/claims", api.claim_body("c1", "3600.00", "7000.00"), api.partner("acme")
    )
    assert [v["rule"] for v in share.json()["violations"]] == ["claim_share_too_low"]
    bad_hash = api.claim_body("c1", "3500.00", "7000.00", proof=[{"reference": "x", "content_hash": "nope"}])
    assert (await api.write("POST", "/requests/r1/claims", bad_hash, api.partner("acme"))).status_code == 422
    no_proof = api.claim_body("c1", "3500.00", "7000.00", proof=[])
    assert (await api.write("POST", "/requests/r1/claims", no_proof, api.partner("acme"))).status_code == 422
    assert [e["type"] for e in await outbox(mdf_settings) if e["type"].startswith("mdf.claim")] == []


async def test_partial_approval_pays_the_proof_milestone_and_returns_the_rest(mdf_client, mdf_settings, clock):
    api = MdfApi(mdf_client, mdf_settings)
    await approved_request(api, milestones=FIFTY_FIFTY)  # 4000 approved, 2000 paid on the plan
    clock.set(date(2026, 5, 12))
    await api.claim("acme", "r1", "c1", "3800.00", "7600.00")
    stranger = await api.write("POST", "/claims/c1/approve", {}, api.partner("acme"))
    assert stranger.status_code == 403
    approved = await api.ok("POST", "/claims/c1/approve", {"amount": eur("3000.00")})
    assert (approved["status"], approved["partial"], approved["approved_amount"]) == ("approved", True, eur("3000.00"))
    assert approved["decided_by"] == "manager"
    # 3000 approved: 1000 more paid on proof, 1000 of the 4000 reservation returns to the fund
    assert await api.position("acme") == position(
        allocated="10000.00", claimed="3000.00", disbursed="3000.00", available="7000.00"
    )
    detail = (await mdf_client.get("/requests/r1", headers=api.partner("acme"))).json()
    assert detail["status"] == "completed"
    assert [(d["milestone"], d["amount"], d["claim_id"]) for d in detail["disbursements"]] == [
        ("plan", eur("2000.00"), None),
        ("proof", eur("1000.00"), "c1"),
    ]
    assert [(r["spend"], r["results"]["leads"]) for r in detail["results"]] == [(eur("3000.00"), 33)]
    events = (await outbox(mdf_settings))[-5:]
    assert [e["type"] for e in events] == [
        "mdf.claim_submitted",
        "mdf.claim_approved",
        "mdf.reservation_released",  # issue 12 defect 2: the ledger must see the 1000 go back too
        "mdf.disbursed",
        "mdf.results_reported",
    ]
    assert (events[2]["data"]["amount"], events[2]["data"]["claim_id"]) == (eur("1000.00"), "c1")
    second = await api.write("POST", "/requests/r1/claims", api.claim_body("c2", "10.00", "20.00"), api.partner("acme"))
    assert second.status_code == 409


async def test_claim_approval_cannot_undercut_what_the_plan_already_paid(mdf_client, mdf_settings, clock):
    api = MdfApi(mdf_client, mdf_settings)
    await approved_request(api, milestones=FIFTY_FIFTY)
    clock.set(date(2026, 5, 12))
    await api.claim("acme", "r1", "c1", "3800.00", "7600.00")
    low = await api.write("POST", "/claims/c1/approve", {"amount": eur("1999.99")}, api.manager)
    assert [v["rule"] for v in low.json()["violations"]] == ["claim_below_disbursed"]


async def test_rejected_claim_can_be_followed_by_a_new_one(mdf_client, mdf_settings, clock):
    api = MdfApi(mdf_client, mdf_settings)
    await approved_request(api)
    clock.set(date(2026, 5, 12))
    await api.claim("acme", "r1", "c1", "4000.00", "8000.00")
    pending = await api.write("POST", "/requests/r1/claims", api.claim_body("c2", "1.00", "2.00"), api.partner("acme"))
    assert pending.status_code == 409
    cancel = await api.write("POST", "/requests/r1/cancel", {}, api.partner("acme"))
    assert cancel.status_code == 409
    rejected = await api.ok("POST", "/claims/c1/reject", {"reason": "invoice is not itemised"})
    assert (rejected["status"], rejected["decision_reason"]) == ("rejected", "invoice is not itemised")
    await api.claim("acme", "r1", "c2", "3900.00", "7800.00")
    await api.ok("POST", "/claims/c2/approve", {})
    assert await api.position("acme") == position(
        allocated="10000.00", claimed="3900.00", disbursed="3900.00", available="6100.00"
    )
    listed = await mdf_client.get("/claims", params={"request_id": "r1"}, headers=api.partner("acme"))
    assert [(c["claim_id"], c["status"]) for c in listed.json()["items"]] == [("c1", "rejected"), ("c2", "approved")]
    only_approved = await mdf_client.get("/claims", params={"status": "approved"}, headers=api.reader)
    assert [c["claim_id"] for c in only_approved.json()["items"]] == ["c2"]
    assert (await mdf_client.get("/claims/c1", headers=api.partner("globex"))).status_code == 404
    assert (await mdf_client.get("/claims", headers=api.partner("globex"))).json()["items"] == []


async def test_results_reported_later_are_stored_and_emitted(mdf_client, mdf_settings, clock):
    api = MdfApi(mdf_client, mdf_settings)
    await approved_request(api)
    clock.set(date(2026, 8, 1))
    body = {"result_id": "res-1", "results": {"opportunities_influenced": 9}}
    made = await api.write("POST", "/requests/r1/results", body, api.partner("acme"))
    assert made.status_code == 201, made.text
    assert made.json()["spend"] == eur("4000.00")
    duplicate = await api.write("POST", "/requests/r1/results", body, api.partner("acme"))
    assert duplicate.status_code == 409
    empty = await api.write("POST", "/requests/r1/results", {"results": {}}, api.partner("acme"))
    assert [v["rule"] for v in empty.json()["violations"]] == ["results_empty"]
    [event] = [e for e in await outbox(mdf_settings) if e["type"] == "mdf.results_reported"]
    assert (event["data"]["results"]["opportunities_influenced"], event["data"]["activity_type"]) == (9, "webinar")
