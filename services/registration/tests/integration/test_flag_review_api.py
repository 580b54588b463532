"""Flag review through the HTTP API (issue 12 defect 7): a manager confirms an anomaly flag with
who and why; the deal is rejected (never won or paid) and deal.flag_confirmed tells the ledger."""

from __future__ import annotations

from .helpers import advance, enroll, manager, outbox, outbox_types, partner_token, register

CONFIRM = "/deals/d1/flags/self_dealing/confirm"


async def flagged_deal(client, settings) -> dict:  # type: ignore[no-untyped-def,type-arg]
    await enroll(client, settings, "p1")
    deal = await register(client, settings, "d1", "p1", customer_name="P1 Internal", customer_domain="it.p1.example")
    assert [f["reason"] for f in deal["flags"]] == ["self_dealing"]
    return deal


async def test_confirming_a_flag_rejects_the_deal_with_who_and_why(registration_client, registration_settings):
    client, settings = registration_client, registration_settings
    await flagged_deal(client, settings)
    before = len(await outbox(settings))
    for body in ({}, {"note": ""}, {"note": "x", "extra": 1}):
        bad = await client.post(CONFIRM, json=body, headers={**manager(settings), "Idempotency-Key": "bad"})
        assert bad.status_code == 422, body
        assert bad.headers["content-type"] == "application/problem+json"
    assert (await client.post(CONFIRM, json={"note": "x"}, headers=partner_token(settings, "p1"))).status_code == 403
    unknown = await client.post("/deals/d1/flags/no_such_reason/confirm", json={"note": "x"}, headers=manager(settings))
    assert unknown.status_code == 422
    not_open = await client.post(
        "/deals/d1/flags/registration_velocity/confirm", json={"note": "x"}, headers=manager(settings)
    )
    assert not_open.status_code == 409
    assert len(await outbox(settings)) == before  # nothing stored by a refused request

    headers = {**manager(settings), "Idempotency-Key": "confirm-d1"}
    confirmed = await client.post(CONFIRM, json={"note": "the customer is the partner's own IT"}, headers=headers)
    assert confirmed.status_code == 200, confirmed.text
    deal = confirmed.json()
    assert (deal["status"], deal["flagged"]) == ("rejected", False)
    assert deal["rejection_reason"] == "flag self_dealing confirmed by manager:jo: the customer is the partner's own IT"
    [flag] = deal["flags"]
    assert (flag["confirmed_by"], flag["cleared_on"]) == ("manager:jo", None)
    again = await client.post(CONFIRM, json={"note": "the customer is the partner's own IT"}, headers=headers)
    assert (again.status_code, again.json()) == (200, deal)  # the same key answers the same, once
    event = (await outbox(settings))[-1]
    assert event["type"] == "deal.flag_confirmed"
    data = event["event"]["data"]
    assert (data["reason"], data["confirmed_by"], data["note"]) == (
        "self_dealing",
        "manager:jo",
        "the customer is the partner's own IT",
    )
    assert data["confirmed_on"] == flag["confirmed_on"]
    assert [t for t in await outbox_types(settings) if t == "deal.flag_confirmed"] == ["deal.flag_confirmed"]

    # a rejected deal can no longer be approved, cleared or won
    assert (await client.post("/deals/d1/approve", json={}, headers=manager(settings))).status_code in (409, 422)
    cleared = await client.post("/deals/d1/flags/self_dealing/clear", json={}, headers=manager(settings))
    assert cleared.status_code == 409


async def test_confirming_a_flag_raised_at_the_win_rejects_the_won_deal(registration_client, registration_settings):
    client, settings = registration_client, registration_settings
    await enroll(client, settings, "p1")
    registered = await register(client, settings, "d2", "p1")
    await advance(client, settings, "d2", "qualified", "proposal", "negotiation")
    won = await client.post(
        "/deals/d2/won",
        json={"amount": {"amount": "10000.00", "currency": "USD"}, "closed_on": registered["registered_on"]},
        headers=manager(settings),
    )
    assert won.status_code == 200, won.text
    [flag] = won.json()["flags"]  # closed the day it was registered
    path = f"/deals/d2/flags/{flag['reason']}/confirm"
    confirmed = await client.post(path, json={"note": "closed before it was registered"}, headers=manager(settings))
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "rejected"
    reversal = await client.post(
        "/deals/d2/reversal",
        json={"kind": "cancelled", "reason": "x", "amount": {"amount": "1.00", "currency": "USD"}},
        headers=manager(settings),
    )
    assert reversal.status_code == 409
    assert (await outbox_types(settings))[-1] == "deal.flag_confirmed"
