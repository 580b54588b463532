"""Closing a period through the HTTP API: lapses, releases, expiry, and a closed period stays shut."""

from __future__ import annotations

from datetime import date

from mdf_api import PERIOD, MdfApi, eur, outbox, position


async def test_close_lapses_past_deadline_requests_and_expires_unreserved_funds(mdf_client, mdf_settings, clock):
    api = MdfApi(mdf_client, mdf_settings)
    await api.budget("50000.00")
    await api.allocate("acme", "10000.00")
    await api.allocate("globex", "2000.00")
    await api.submit("acme", "early", "1000.00", ends_on="2026-05-05")  # claim deadline 2026-07-04
    await api.submit("acme", "late", "1500.00", starts_on="2026-06-20", ends_on="2026-06-25")  # deadline 08-24
    await api.submit("acme", "pending", "500.00")
    await api.approve("early")
    await api.approve("late")

    clock.set(date(2026, 6, 30))
    too_soon = await api.write("POST", f"/periods/{PERIOD}/close", {"as_of": "2026-06-30"}, api.manager)
    assert [v["rule"] for v in too_soon.json()["violations"]] == ["period_not_ended"]
    future = await api.write("POST", f"/periods/{PERIOD}/close", {"as_of": "2026-07-01"}, api.manager)
    assert [v["rule"] for v in future.json()["violations"]] == ["close_date_in_future"]

    clock.set(date(2026, 7, 10))
    summary = await api.ok("POST", f"/periods/{PERIOD}/close", {"as_of": "2026-07-10"})
    assert summary["status"] == "closed"
    assert summary["lapsed_requests"] == ["early", "pending"]
    # acme: 10000 - 1500 still reserved by "late" = 8500 expires; globex: all 2000
    assert summary["expired"] == [eur("10500.00")]
    assert await api.position("acme") == position(allocated="10000.00", reserved="1500.00", expired="8500.00")
    assert await api.position("globex") == position(allocated="2000.00", expired="2000.00")
    period = (await mdf_client.get(f"/periods/{PERIOD}", headers=api.reader)).json()
    assert (period["status"], period["closed_on"], period["closed_as_of"]) == ("closed", "2026-07-10", "2026-07-10")

    acme_events = [
        (e["type"], e["data"].get("request_id"))
        for e in await outbox(mdf_settings)
        if e["partner"] == "acme" and e["type"] in ("mdf.request_cancelled", "mdf.funds_expired")
    ]
    assert acme_events == [
        ("mdf.request_cancelled", "early"),
        ("mdf.request_cancelled", "pending"),
        ("mdf.funds_expired", None),
    ]

    # Nothing new enters a closed period.
    refused = await api.write(
        "POST", "/allocations", {"partner_id": "acme", "period": PERIOD, "amount": eur("1.00")}, api.manager
    )
    assert [v["rule"] for v in refused.json()["violations"]] == ["period_closed"]
    clock.set(date(2026, 7, 1))
    submit = await api.write("POST", "/requests", api.request_body("acme", "new", "10.00"), api.partner("acme"))
    assert "period_closed" in [v["rule"] for v in submit.json()["violations"]]

    # Closing again later sweeps "late" once its claim deadline has passed.
    clock.set(date(2026, 8, 25))
    again = await api.ok("POST", f"/periods/{PERIOD}/close", {"as_of": "2026-08-25"})
    assert (again["lapsed_requests"], again["expired"]) == (["late"], [eur("1500.00")])
    assert await api.position("acme") == position(allocated="10000.00", expired="10000.00")


async def test_money_released_after_the_close_expires_at_once(mdf_client, mdf_settings, clock):
    api = MdfApi(mdf_client, mdf_settings)
    await api.budget("5000.00")
    await api.allocate("acme", "5000.00")
    await api.submit("acme", "r1", "4000.00")
    await api.approve("r1")
    clock.set(date(2026, 7, 2))
    await api.ok("POST", f"/periods/{PERIOD}/close", {"as_of": "2026-07-01"})
    assert await api.position("acme") == position(allocated="5000.00", reserved="4000.00", expired="1000.00")
    await api.claim("acme", "r1", "c1", "4000.00", "8000.00")
    await api.ok("POST", "/claims/c1/approve", {"amount": eur("3200.00")})
    # the 800 no longer needed by r1 lands in a closed period and expires immediately
    assert await api.position("acme") == position(
        allocated="5000.00", claimed="3200.00", disbursed="3200.00", expired="1800.00"
    )
    expiries = [e["data"] for e in await outbox(mdf_settings) if e["type"] == "mdf.funds_expired"]
    assert [(x["amount"], x["reason"]) for x in expiries] == [
        (eur("1000.00"), f"period {PERIOD} closed"),
        (eur("800.00"), f"released after period {PERIOD} closed"),
    ]
