"""Deal registration through the HTTP API against real PostgreSQL: the whole lifecycle."""

from __future__ import annotations

from datetime import UTC, datetime

from .helpers import advance, deal_body, enroll, fetch, manager, outbox, outbox_types, partner_token, register


async def test_conflict_then_award_rejects_the_rival_with_the_reason(registration_client, registration_settings):
    client, settings = registration_client, registration_settings
    await enroll(client, settings, "p1", "p2")
    first = await register(client, settings, "d1", "p1")
    second = await register(
        client, settings, "d2", "p2", customer_name="GLOBEX, Inc.", customer_domain="https://www.globex.example/"
    )
    assert first["status"] == "approved"
    assert (second["status"], second["conflict_kind"], second["conflicts_with"]) == (
        "conflict",
        "channel_conflict",
        ["d1"],
    )
    assert second["allowed_next"] == ["award", "reject"]

    approve = await client.post("/deals/d2/approve", json={}, headers=manager(settings))
    assert approve.status_code == 409
    assert approve.json()["allowed"] == ["award", "reject"]

    awarded = await client.post("/deals/d2/award", json={"note": "customer signed with p2"}, headers=manager(settings))
    assert awarded.status_code == 200, awarded.text
    assert (awarded.json()["status"], awarded.json()["approved_by"]) == ("approved", "manager:jo")
    loser = (await client.get("/deals/d1", headers=manager(settings))).json()
    assert loser["status"] == "rejected"
    assert loser["rejection_reason"] == "conflict awarded to deal d2: customer signed with p2"
    assert [h["type"] for h in loser["history"]] == ["deal.registered", "deal.approved", "deal.rejected"]
    assert (await outbox_types(settings))[-3:] == ["deal.rejected", "deal.conflict_resolved", "deal.approved"]


async def test_manual_approval_and_rejection(registration_client, registration_settings):
    client, settings = registration_client, registration_settings
    await enroll(client, settings, "p1")
    big = await register(client, settings, "big", "p1", expected_amount={"amount": "900000.00", "currency": "USD"})
    assert big["status"] == "pending"
    assert big["allowed_next"] == ["approve", "reject"]
    approved = await client.post("/deals/big/approve", json={"note": "strategic"}, headers=manager(settings))
    assert (approved.status_code, approved.json()["status"]) == (200, "approved")

    other = await register(
        client,
        settings,
        "other",
        "p1",
        customer_name="Initech",
        customer_domain="initech.example",
        expected_amount={"amount": "1.00", "currency": "JPY"},
    )
    assert other["status"] == "pending"
    no_reason = await client.post("/deals/other/reject", json={"reason": ""}, headers=manager(settings))
    assert no_reason.status_code == 422
    rejected = await client.post("/deals/other/reject", json={"reason": "not our market"}, headers=manager(settings))
    assert (rejected.json()["status"], rejected.json()["rejection_reason"]) == ("rejected", "not our market")

    partner_approval = await client.post("/deals/other/approve", json={}, headers=partner_token(settings, "p1"))
    assert partner_approval.status_code == 403


async def test_stage_gates_win_with_influence_then_partial_and_full_reversal(
    registration_client, registration_settings
):
    client, settings = registration_client, registration_settings
    await enroll(client, settings, "p1")
    await register(client, settings, "d1", "p1")
    skip = await client.post("/deals/d1/stage", json={"stage": "negotiation"}, headers=manager(settings))
    assert skip.status_code == 409
    assert skip.headers["content-type"] == "application/problem+json"
    assert skip.json()["allowed"] == ["qualified", "lost"]
    early_win = await client.post(
        "/deals/d1/won",
        json={"amount": {"amount": "1.00", "currency": "USD"}, "closed_on": "2026-03-01"},  # not in the future
        headers=manager(settings),
    )
    assert early_win.status_code == 409

    for kind, day in (("joint_demo", "2026-02-20"), ("co_selling_call", "2026-03-02")):
        recorded = await client.post(
            "/deals/d1/influence",
            json={"kind": kind, "occurred_on": day, "evidence_ref": f"crm:{kind}"},
            headers=partner_token(settings, "p1"),
        )
        assert recorded.status_code == 201, recorded.text
    future = await client.post(
        "/deals/d1/influence",
        json={"kind": "joint_demo", "occurred_on": "2026-12-01", "evidence_ref": "x"},
        headers=manager(settings),
    )
    assert future.status_code == 422

    moved = await advance(client, settings, "d1", "qualified", "proposal", "negotiation")
    assert moved["allowed_next"] == ["won", "lost"]
    no_amount = await client.post("/deals/d1/won", json={"closed_on": "2026-03-01"}, headers=manager(settings))
    assert no_amount.status_code == 422
    partner_win = await client.post(
        "/deals/d1/won",
        json={"amount": {"amount": "1.00", "currency": "USD"}, "closed_on": "2026-03-01"},
        headers=partner_token(settings, "p1"),
    )
    assert partner_win.status_code == 403
    won = await client.post(
        "/deals/d1/won",
        json={"amount": {"amount": "1200.00", "currency": "USD"}, "closed_on": "2026-03-02"},
        headers=manager(settings),
    )
    assert won.status_code == 200, won.text
    event = (await outbox(settings))[-1]
    assert event["type"] == "deal.won"
    assert event["event"]["dataschema"].endswith(":deal.won:v2")
    assert event["event"]["data"]["amount"] == {"amount": "1200.00", "currency": "USD"}
    # The co-selling call on the close day does not count; the demo before it does.
    assert event["event"]["data"]["influence"] == [
        {"kind": "joint_demo", "occurred_on": "2026-02-20", "evidence_ref": "crm:joint_demo"}
    ]
    assert event["event"]["data"]["registered"] is True
    assert (await outbox_types(settings))[-2] == "deal.flagged"  # registered the day it closed

    too_much = await client.post(
        "/deals/d1/reversal",
        json={"kind": "refunded", "reason": "seats", "amount": {"amount": "1200.01", "currency": "USD"}},
        headers=manager(settings),
    )
    assert too_much.status_code == 422
    partial = await client.post(
        "/deals/d1/reversal",
        json={"kind": "refunded", "reason": "3 seats", "amount": {"amount": "200.00", "currency": "USD"}},
        headers=manager(settings),
    )
    assert (partial.status_code, partial.json()["status"], partial.json()["reversed_amount"]) == (200, "won", "200.00")
    full = await client.post(
        "/deals/d1/reversal", json={"kind": "cancelled", "reason": "contract void"}, headers=manager(settings)
    )
    assert full.json()["status"] == "reversed"
    reversals = [o["event"]["data"] for o in await outbox(settings) if o["type"] == "deal.reversed"]
    assert [(r["amount"]["amount"], r["full"], r["reason"]) for r in reversals] == [
        ("200.00", False, "refunded: 3 seats"),
        ("1000.00", True, "cancelled: contract void"),
    ]
    history = (await client.get("/deals/d1", headers=manager(settings))).json()["history"]
    assert [h["type"] for h in history] == [
        "deal.registered",
        "deal.approved",
        "deal.influence_recorded",
        "deal.influence_recorded",
        "deal.stage_changed",
        "deal.stage_changed",
        "deal.stage_changed",
        "deal.flagged",
        "deal.won",
        "deal.reversed",
        "deal.reversed",
    ]
    assert history[2]["actor"] == "partner:p1:user@p1"


async def test_lost_deal_and_forecast_changes(registration_client, registration_settings):
    client, settings = registration_client, registration_settings
    await enroll(client, settings, "p1")
    await register(client, settings, "d1", "p1")
    forecast = await client.post(
        "/deals/d1/forecast", json={"expected_close": "2026-08-31"}, headers=partner_token(settings, "p1")
    )
    assert (forecast.status_code, forecast.json()["expected_close"]) == (200, "2026-08-31")
    lost = await client.post(
        "/deals/d1/lost", json={"reason": "went with a competitor"}, headers=partner_token(settings, "p1")
    )
    assert (lost.json()["status"], lost.json()["lost_reason"]) == ("lost", "went with a competitor")
    again = await client.post("/deals/d1/stage", json={"stage": "qualified"}, headers=manager(settings))
    assert again.status_code == 409
    assert again.json()["allowed"] == []
    assert (await outbox_types(settings))[-2:] == ["deal.forecast_changed", "deal.lost"]


async def test_flags_hold_approval_until_a_manager_clears_them(registration_client, registration_settings):
    client, settings = registration_client, registration_settings
    await enroll(client, settings, "p1")
    flagged = await register(client, settings, "d1", "p1", customer_name="P1 Internal", customer_domain="it.p1.example")
    assert (flagged["status"], flagged["flagged"]) == ("pending", True)
    assert [f["reason"] for f in flagged["flags"]] == ["self_dealing"]
    listed = (await client.get("/deals?flagged=true", headers=manager(settings))).json()["items"]
    assert [d["deal_id"] for d in listed] == ["d1"]
    blocked = await client.post("/deals/d1/approve", json={}, headers=manager(settings))
    assert blocked.status_code == 422
    cleared = await client.post(
        "/deals/d1/flags/self_dealing/clear", json={"note": "subsidiary buys for itself"}, headers=manager(settings)
    )
    assert (cleared.status_code, cleared.json()["flagged"]) == (200, False)
    assert (await client.post("/deals/d1/approve", json={}, headers=manager(settings))).json()["status"] == "approved"
    flagged_event = next(o for o in await outbox(settings) if o["type"] == "deal.flagged")
    assert flagged_event["event"]["data"]["reason"] == "self_dealing"
    assert (await outbox_types(settings))[-2:] == ["deal.flag_cleared", "deal.approved"]


async def test_vendor_direct_deals_conflict_and_can_be_awarded_to_the_vendor(
    registration_client, registration_settings
):
    client, settings = registration_client, registration_settings
    await enroll(client, settings, "p1")
    direct = await client.post(
        "/direct-deals",
        json={
            "direct_deal_id": "v1",
            "customer_name": "Globex",
            "customer_domain": "globex.example",
            "product_line": "Cloud",
        },
        headers=manager(settings),
    )
    assert direct.status_code == 201, direct.text
    deal = await register(client, settings, "d1", "p1")
    assert (deal["status"], deal["conflict_kind"], deal["conflicts_with"]) == (
        "conflict",
        "vendor_direct",
        ["direct:v1"],
    )
    awarded = await client.post(
        "/direct-deals/v1/award", json={"note": "enterprise account"}, headers=manager(settings)
    )
    assert awarded.status_code == 200, awarded.text
    assert (
        awarded.json()[0]["rejection_reason"] == "customer awarded to the vendor's direct deal v1: enterprise account"
    )


async def test_expiry_command_takes_the_date(registration_client, registration_settings, clock):
    client, settings = registration_client, registration_settings
    await enroll(client, settings, "p1")
    await register(client, settings, "stale", "p1", registered_on="2026-01-02")
    await register(
        client,
        settings,
        "moving",
        "p1",
        registered_on="2026-01-02",
        customer_name="Initech",
        customer_domain="initech.example",
    )
    await client.post(
        "/deals/moving/stage",
        json={"stage": "qualified", "changed_at": "2026-02-15T10:00:00Z"},
        headers=manager(settings),
    )
    clock.current = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)  # as_of is not in the future (issue 13)
    nothing = await client.post("/deals/expire", json={"as_of": "2026-03-03"}, headers=manager(settings))
    assert nothing.json()["expired"] == []
    expired = await client.post("/deals/expire", json={"as_of": "2026-03-04"}, headers=manager(settings))
    assert expired.json()["expired"] == ["stale"]
    again = await client.post("/deals/expire", json={"as_of": "2026-03-04"}, headers=manager(settings))
    assert again.json()["expired"] == []
    assert (await client.get("/deals/stale", headers=manager(settings))).json()["status"] == "expired"
    event = (await outbox(settings))[-1]["event"]["data"]
    assert (event["expired_on"], event["last_progress_on"]) == ("2026-03-04", "2026-01-02")


async def test_pipeline_filters_and_cursor_pagination(registration_client, registration_settings):
    client, settings = registration_client, registration_settings
    await enroll(client, settings, "p1", "p2")
    for i in range(5):
        await register(
            client,
            settings,
            f"a{i}",
            "p1",
            customer_name=f"Cust {i}",
            customer_domain=f"c{i}.example",
            expected_close=f"2026-0{5 + i % 2}-15",
        )
    await register(client, settings, "b0", "p2", customer_name="Other", customer_domain="other.example")
    await advance(client, settings, "a1", "qualified")
    seen, cursor = [], None
    while True:
        page = (
            await client.get(
                "/deals",
                params={"partner_id": "p1", "limit": 2, **({"cursor": cursor} if cursor else {})},
                headers=manager(settings),
            )
        ).json()
        seen += [d["deal_id"] for d in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["a0", "a1", "a2", "a3", "a4"]
    by_stage = (await client.get("/deals?stage=qualified", headers=manager(settings))).json()["items"]
    assert [d["deal_id"] for d in by_stage] == ["a1"]
    by_close = (
        await client.get("/deals?close_from=2026-06-01&close_to=2026-06-30&status=approved", headers=manager(settings))
    ).json()
    assert [d["deal_id"] for d in by_close["items"]] == ["a1", "a3", "b0"]
    bad_cursor = await client.get("/deals?cursor=nonsense", headers=manager(settings))
    assert bad_cursor.status_code == 400


async def test_partner_tokens_see_and_touch_only_their_own_deals(registration_client, registration_settings):
    client, settings = registration_client, registration_settings
    await enroll(client, settings, "p1", "p2")
    await register(client, settings, "mine", "p1")
    await register(client, settings, "theirs", "p2", customer_name="Initech", customer_domain="initech.example")
    p1 = partner_token(settings, "p1")
    assert [d["deal_id"] for d in (await client.get("/deals", headers=p1)).json()["items"]] == ["mine"]
    assert (await client.get("/deals?partner_id=p2", headers=p1)).json()["items"] == []
    assert (await client.get("/deals/theirs", headers=p1)).status_code == 404
    assert (await client.post("/deals/theirs/stage", json={"stage": "qualified"}, headers=p1)).status_code == 404
    foreign = await client.post(
        "/deals", json=deal_body("x", "p2", customer_name="Umbrella", customer_domain="umbrella.example"), headers=p1
    )
    assert foreign.status_code == 404
    backdated = await client.post(
        "/deals",
        json=deal_body("y", "p1", registered_on="2026-01-05", customer_name="Hooli", customer_domain="hooli.example"),
        headers=p1,
    )
    assert backdated.status_code == 422
    own = await client.post(
        "/deals", json=deal_body("z", "p1", customer_name="Hooli", customer_domain="hooli.example"), headers=p1
    )
    assert (own.status_code, own.json()["registered_on"]) == (201, "2026-03-02")


async def test_bulk_registration_is_one_transaction(registration_client, registration_settings):
    client, settings = registration_client, registration_settings
    await enroll(client, settings, "p1", "p2")
    deals = [deal_body(f"b{i}", "p1", customer_name=f"Bulk {i}", customer_domain=f"bulk{i}.example") for i in range(15)]
    deals.append(deal_body("clash", "p2", customer_name="Bulk 0", customer_domain="bulk0.example"))
    response = await client.post("/deals/bulk", json={"deals": deals}, headers=manager(settings))
    assert response.status_code == 201, response.text
    assert response.json()["by_status"] == {"approved": 15, "conflict": 1}
    count_before = len(await outbox(settings))
    broken = [deal_body(f"n{i}", "p1", customer_name=f"New {i}", customer_domain=f"new{i}.example") for i in range(3)]
    broken.append(deal_body("ghost", "nobody"))
    refused = await client.post("/deals/bulk", json={"deals": broken}, headers=manager(settings))
    assert refused.status_code == 422
    assert (refused.json()["index"], refused.json()["deal_id"]) == (3, "ghost")
    assert len(await outbox(settings)) == count_before
    assert not await fetch(settings, "SELECT 1 FROM deals WHERE deal_id LIKE 'n%'")


async def test_idempotency_key_on_registration(registration_client, registration_settings):
    client, settings = registration_client, registration_settings
    await enroll(client, settings, "p1")
    headers = {**manager(settings), "Idempotency-Key": "reg-1"}
    first = await client.post("/deals", json=deal_body("d1", "p1"), headers=headers)
    again = await client.post("/deals", json=deal_body("d1", "p1"), headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["idempotent-replayed"] == "true"
    changed = await client.post("/deals", json=deal_body("d2", "p1"), headers=headers)
    assert changed.status_code == 422
    duplicate = await client.post("/deals", json=deal_body("d1", "p1"), headers=manager(settings))
    assert duplicate.status_code == 409
    assert await outbox_types(settings) == ["partner.enrolled", "deal.registered", "deal.approved"]
