"""MDF requests through the HTTP API: validation, approval reserves, cancellation releases, reads."""

from __future__ import annotations

from datetime import date

from incentive_contracts.events.partner import PartnerTierChanged
from mdf.application.ledger_feed import LedgerFact, apply_ledger_facts
from mdf.bootstrap import bootstrap
from mdf_api import PERIOD, MdfApi, eur, outbox, position


async def funded(api: MdfApi, partner: str = "acme", amount: str = "10000.00") -> None:
    await api.budget("50000.00")
    await api.allocate(partner, amount)


async def set_tier(settings, partner_id: str, tier: str) -> None:
    """Record a tier the way the ledger-feed consumer does (the Kafka path is covered in test_mdf_consumer)."""
    container = bootstrap(settings)
    try:
        async with container.runtime.uow_factory() as uow:
            change = PartnerTierChanged(
                partner_id=partner_id,
                program_id="p",
                previous_tier=None,
                tier=tier,
                effective_at=date(2026, 3, 1),
                reason="test",
                rule_version=1,
            )
            await apply_ledger_facts(container.unit(uow), [LedgerFact("e-" + partner_id, change, date(2026, 3, 1))])
            await uow.commit()
    finally:
        await container.runtime.close()


async def test_invalid_requests_list_every_broken_rule_and_change_nothing(mdf_client, mdf_settings):
    api = MdfApi(mdf_client, mdf_settings)
    await funded(api, amount="3000.00")
    body = api.request_body("acme", "r1", "4000.00", planned="6000.00", activity_type="trade_show")
    response = await api.write("POST", "/requests", body, api.partner("acme"))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    rules = [v["rule"] for v in response.json()["violations"]]
    # trade shows need gold; 4000 of 6000 leaves the partner 33%; only 3000 is available
    assert rules == ["activity_not_eligible", "partner_share_too_low", "insufficient_funds"]
    assert "request at most 3000.00 EUR" in response.json()["detail"]
    listed = await mdf_client.get("/requests", headers=api.reader)
    assert listed.json()["items"] == []
    assert [e["type"] for e in await outbox(mdf_settings)] == ["mdf.allocated"]


async def test_tier_from_the_ledger_opens_activities(mdf_client, mdf_settings):
    api = MdfApi(mdf_client, mdf_settings)
    await funded(api)
    await set_tier(mdf_settings, "acme", "gold")
    made = await api.submit("acme", "r1", "2000.00", activity_type="trade_show")
    assert (made["status"], made["partner_share"]) == ("submitted", "0.5000")


async def test_approval_reserves_possibly_less_and_rejection_reserves_nothing(mdf_client, mdf_settings):
    api = MdfApi(mdf_client, mdf_settings)
    await funded(api)
    await api.submit("acme", "r1", "4000.00")
    await api.submit("acme", "r2", "1000.00")
    approved = await api.approve("r1", "3500.00")
    assert (approved["status"], approved["approved_amount"], approved["reserved"]) == (
        "approved",
        eur("3500.00"),
        eur("3500.00"),
    )
    assert approved["claim_deadline"] == "2026-07-07"  # ends 2026-05-08 + 60 days
    rejected = await api.ok("POST", "/requests/r2/reject", {"reason": "duplicate of r1"})
    assert (rejected["status"], rejected["status_reason"]) == ("rejected", "duplicate of r1")
    assert await api.position("acme") == position(allocated="10000.00", reserved="3500.00", available="6500.00")
    decided = await api.write("POST", "/requests/r2/approve", {}, api.manager)
    assert decided.status_code == 409
    assert decided.json()["allowed"] == []
    by_partner = await api.write("POST", "/requests/r1/approve", {}, api.partner("acme"))
    assert by_partner.status_code == 403
    replay = {**api.manager, "Idempotency-Key": "cancel-r1"}
    first = await mdf_client.post("/requests/r1/cancel", json={}, headers=replay)
    again = await mdf_client.post("/requests/r1/cancel", json={}, headers=replay)
    assert first.status_code == again.status_code == 200
    assert again.headers.get("idempotent-replayed") == "true"
    assert first.json() == again.json()
    types = [e["type"] for e in await outbox(mdf_settings)]
    assert types[1:] == [
        "mdf.request_submitted",
        "mdf.request_submitted",
        "mdf.request_approved",
        "mdf.request_rejected",
        "mdf.request_cancelled",
    ]
    assert await api.position("acme") == position(allocated="10000.00", available="10000.00")


async def test_cancellation_releases_the_reservation_and_only_the_owner_may_cancel(mdf_client, mdf_settings):
    api = MdfApi(mdf_client, mdf_settings)
    await funded(api)
    await api.submit("acme", "r1", "4000.00")
    await api.approve("r1")
    stranger = await api.write("POST", "/requests/r1/cancel", {}, api.partner("globex"))
    assert stranger.status_code == 404
    cancelled = await api.ok("POST", "/requests/r1/cancel", {"reason": "speaker ill"}, api.partner("acme"))
    assert (cancelled["status"], cancelled["reserved"]) == ("cancelled", eur("0.00"))
    assert await api.position("acme") == position(allocated="10000.00", available="10000.00")
    [event] = [e for e in await outbox(mdf_settings) if e["type"] == "mdf.request_cancelled"]
    assert event["data"]["released_amount"] == eur("4000.00")
    assert event["data"]["lapsed"] is False


async def test_plan_milestone_is_disbursed_on_approval(mdf_client, mdf_settings):
    api = MdfApi(mdf_client, mdf_settings)
    await funded(api)
    milestones = [
        {"name": "kickoff", "trigger": "plan_approved", "percent": "40"},
        {"name": "proof", "trigger": "proof_approved", "percent": "60"},
    ]
    await api.submit("acme", "r1", "2500.00", milestones=milestones)
    await api.approve("r1")
    detail = (await mdf_client.get("/requests/r1", headers=api.partner("acme"))).json()
    assert [(d["milestone"], d["amount"]) for d in detail["disbursements"]] == [("kickoff", eur("1000.00"))]
    assert (detail["reserved"], detail["disbursed"]) == (eur("1500.00"), eur("1000.00"))
    assert await api.position("acme") == position(
        allocated="10000.00", reserved="1500.00", disbursed="1000.00", available="7500.00"
    )


async def test_requests_are_listed_with_filters_and_cursor_pages(mdf_client, mdf_settings):
    api = MdfApi(mdf_client, mdf_settings)
    await funded(api, "acme")
    await api.allocate("globex", "5000.00")
    for n in range(5):
        await api.submit("acme", f"a{n}", "100.00")
    await api.submit("globex", "g0", "100.00", activity_type="whitepaper")
    await api.approve("a1")
    await api.approve("a3")

    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await mdf_client.get("/requests", params=params, headers=api.reader)).json()
        seen.append([r["request_id"] for r in page["items"]])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [["a0", "a1"], ["a2", "a3"], ["a4", "g0"]]

    approved = await mdf_client.get("/requests", params={"status": "approved"}, headers=api.reader)
    assert [r["request_id"] for r in approved.json()["items"]] == ["a1", "a3"]
    both = await mdf_client.get(
        "/requests",
        params=[("status", "approved"), ("status", "submitted"), ("partner_id", "globex")],
        headers=api.reader,
    )
    assert [r["request_id"] for r in both.json()["items"]] == ["g0"]
    papers = await mdf_client.get(
        "/requests", params={"activity_type": "whitepaper", "period": PERIOD}, headers=api.reader
    )
    assert [r["request_id"] for r in papers.json()["items"]] == ["g0"]
    own = await mdf_client.get("/requests", headers=api.partner("globex"))
    assert [r["request_id"] for r in own.json()["items"]] == ["g0"]
    assert (
        await mdf_client.get("/requests", params={"partner_id": "acme"}, headers=api.partner("globex"))
    ).status_code == 404
    assert (await mdf_client.get("/requests/a0", headers=api.partner("globex"))).status_code == 404
    bad = await mdf_client.get("/requests", params={"cursor": "not-a-cursor"}, headers=api.reader)
    assert bad.status_code == 400
    assert bad.headers["content-type"] == "application/problem+json"


async def test_duplicate_request_ids_and_unknown_requests(mdf_client, mdf_settings):
    api = MdfApi(mdf_client, mdf_settings)
    await funded(api)
    await api.submit("acme", "r1", "100.00")
    duplicate = await api.write("POST", "/requests", api.request_body("acme", "r1", "100.00"), api.partner("acme"))
    assert duplicate.status_code == 409
    missing = await api.write("POST", "/requests/nope/approve", {}, api.manager)
    assert missing.status_code == 404
    someone_else = await api.write("POST", "/requests", api.request_body("globex", "r2", "100.00"), api.partner("acme"))
    assert someone_else.status_code == 404


async def test_policy_catalogue_is_readable_by_partners(mdf_client, mdf_settings):
    api = MdfApi(mdf_client, mdf_settings)
    body = (await mdf_client.get("/policy", headers=api.partner("acme"))).json()
    assert {a["activity_type"]: a["eligible_tiers"] for a in body["activity_types"]}["trade_show"] == [
        "gold",
        "platinum",
    ]
    assert (body["min_partner_share"], body["claim_window_days"]) == ("0.50", 60)
