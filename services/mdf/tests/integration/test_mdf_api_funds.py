"""Budgets, allocations and fund positions through the HTTP API, against real PostgreSQL."""

from __future__ import annotations

from mdf_api import PERIOD, MdfApi, eur, fetch, outbox, position


async def test_allocations_fill_the_budget_and_over_allocation_is_refused(mdf_client, mdf_settings):
    api = MdfApi(mdf_client, mdf_settings)
    created = await api.budget("10000.00")
    assert (created["allocated"], created["remaining"]) == ("0.00", "10000.00")
    fund = await api.allocate("acme", "6000.00")
    assert fund["available"] == "6000.00"
    await api.allocate("globex", "3000.00")

    refused = await api.write(
        "POST", "/allocations", {"partner_id": "acme", "period": PERIOD, "amount": eur("1000.01")}, api.manager
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert [v["rule"] for v in refused.json()["violations"]] == ["over_allocation"]
    assert "1000.00 EUR" in refused.json()["detail"]

    [budget] = (await mdf_client.get(f"/budgets/{PERIOD}", headers=api.reader)).json()
    assert (budget["allocated"], budget["remaining"]) == ("9000.00", "1000.00")
    assert await api.position("acme") == position(allocated="6000.00", available="6000.00")
    events = await outbox(mdf_settings)
    assert [(e["type"], e["partner"], e["data"]["amount"]) for e in events] == [
        ("mdf.allocated", "acme", eur("6000.00")),
        ("mdf.allocated", "globex", eur("3000.00")),
    ]


async def test_budget_rules_and_unbudgeted_allocations(mdf_client, mdf_settings):
    api = MdfApi(mdf_client, mdf_settings)
    no_budget = await api.write(
        "POST", "/allocations", {"partner_id": "acme", "period": PERIOD, "amount": eur("1")}, api.manager
    )
    assert [v["rule"] for v in no_budget.json()["violations"]] == ["no_budget"]
    await api.budget("500.00")
    await api.allocate("acme", "400.00")
    lowered = await api.write("PUT", f"/budgets/{PERIOD}", {"amount": eur("399.99")}, api.manager)
    assert lowered.status_code == 422
    assert lowered.json()["violations"][0]["rule"] == "budget_below_allocated"
    assert (await api.budget("400.00"))["remaining"] == "0.00"


async def test_fund_positions_are_visible_to_their_partner_only(mdf_client, mdf_settings):
    api = MdfApi(mdf_client, mdf_settings)
    await api.budget("1000.00")
    await api.allocate("acme", "700.00")
    await api.allocate("globex", "300.00")
    own = await mdf_client.get(f"/partners/acme/funds/{PERIOD}", headers=api.partner("acme"))
    assert own.status_code == 200
    assert own.json()["period_status"] == "open"
    assert own.json()["positions"][0]["available"] == "700.00"
    every_period = await mdf_client.get("/partners/acme/funds", headers=api.partner("acme"))
    assert [p["period"] for p in every_period.json()] == [PERIOD]
    for path in (f"/partners/globex/funds/{PERIOD}", "/partners/globex/funds", "/partners/globex/allocations"):
        other = await mdf_client.get(path, headers=api.partner("acme"))
        assert other.status_code == 404, path
        assert other.headers["content-type"] == "application/problem+json"
    allocations = await mdf_client.get("/partners/acme/allocations", headers=api.partner("acme"))
    shown = [(a["amount"], a["allocated_by"]) for a in allocations.json()]
    assert shown == [(eur("700.00"), "program manager")]  # a role, never a staff name (issue 13)


async def test_writes_need_the_right_scope_and_change_nothing_when_refused(mdf_client, mdf_settings):
    api = MdfApi(mdf_client, mdf_settings)
    body = {"partner_id": "acme", "period": PERIOD, "amount": eur("10.00")}
    assert (await mdf_client.post("/allocations", json=body)).status_code == 401
    assert (await api.write("POST", "/allocations", body, api.partner("acme"))).status_code == 403
    assert (await api.write("POST", "/allocations", body, api.reader)).status_code == 403
    assert (await api.write("PUT", f"/budgets/{PERIOD}", {"amount": eur("1")}, api.partner("acme"))).status_code == 403
    floats = await api.write(
        "POST", "/allocations", {**body, "amount": {"amount": 10.5, "currency": "EUR"}}, api.manager
    )
    assert floats.status_code == 422
    bad_period = await api.write("POST", "/allocations", {**body, "period": "2026-Q7"}, api.manager)
    assert bad_period.status_code == 422
    assert await outbox(mdf_settings) == []
    assert await fetch(mdf_settings, "SELECT * FROM funds") == []


async def test_allocation_replays_on_the_same_idempotency_key(mdf_client, mdf_settings):
    api = MdfApi(mdf_client, mdf_settings)
    await api.budget("1000.00")
    body = {"allocation_id": "alloc-1", "partner_id": "acme", "period": PERIOD, "amount": eur("100.00")}
    first = await api.write("POST", "/allocations", body, api.manager, key="alloc-key")
    again = await api.write("POST", "/allocations", body, api.manager, key="alloc-key")
    assert first.status_code == again.status_code == 201
    assert again.headers.get("idempotent-replayed") == "true"
    changed = await api.write("POST", "/allocations", {**body, "amount": eur("200.00")}, api.manager, key="alloc-key")
    assert changed.status_code == 422
    duplicate_id = await api.write("POST", "/allocations", body, api.manager)
    assert duplicate_id.status_code == 409
    assert "alloc-1" in duplicate_id.json()["detail"]
    assert await api.position("acme") == position(allocated="100.00", available="100.00")


async def test_an_allocation_or_request_for_a_partner_the_service_does_not_know_is_refused(mdf_client, mdf_settings):
    """Partners come from registration's events (the consumer's partner directory); money goes to none other."""
    api = MdfApi(mdf_client, mdf_settings)
    await api.budget("500.00")
    body = {"partner_id": "nobody", "period": PERIOD, "amount": eur("100.00")}
    refused = await mdf_client.post("/allocations", json=body, headers={**api.manager, "Idempotency-Key": "a-nobody"})
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert [v["rule"] for v in refused.json()["violations"]] == ["unknown_partner"]
    assert refused.json()["errors"][0]["location"] == "body.partner_id"
    assert "partner_id: partner nobody" in refused.json()["detail"]
    request = api.request_body("nobody", "r-nobody", "10.00")
    headers = {**api.partner("nobody"), "Idempotency-Key": "r-nobody"}
    assert (await mdf_client.post("/requests", json=request, headers=headers)).status_code == 422
    assert await outbox(mdf_settings) == []
    assert await fetch(mdf_settings, "SELECT 1 FROM funds UNION ALL SELECT 1 FROM allocations") == []
    [budget] = (await mdf_client.get(f"/budgets/{PERIOD}", headers=api.reader)).json()
    assert budget["allocated"] == "0.00"
