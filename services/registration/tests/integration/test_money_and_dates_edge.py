"""Money and dates at the registration API edge (issue 13, defects 3, 4 and 5).

Every bad amount, currency, date or period is a 422 problem+json naming the field, and nothing is
stored (no outbox event, no row changed). The clock is fixed at 2026-03-02.
"""

from __future__ import annotations

from typing import Any

import pytest
from registration.entrypoints.api import create_app
from servicekit.testing.client import app_client

from .helpers import advance, deal_body, enroll, fetch, manager, outbox_types, partner_body, register


def _named(response: Any, location: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert location in [e["location"] for e in response.json()["errors"]], response.json()


BAD_MONEY = [
    ({"amount": "1.001", "currency": "USD"}, "amount"),
    ({"amount": "1.5", "currency": "JPY"}, "amount"),
    ({"amount": "10000000000000000", "currency": "USD"}, "amount"),
    ({"amount": "1" * 40, "currency": "USD"}, "amount"),
    ({"amount": " 1.00", "currency": "USD"}, "amount"),
    ({"amount": "1E+2", "currency": "USD"}, "amount"),
    ({"amount": "1_000", "currency": "USD"}, "amount"),
    ({"amount": "\u0661\u0660\u0660", "currency": "USD"}, "amount"),
    ({"amount": 100, "currency": "USD"}, "amount"),
    ({"amount": 100.5, "currency": "USD"}, "amount"),
    ({"amount": "100.00", "currency": "ABC"}, "currency"),
    ({"amount": "100.00", "currency": "ZZZ"}, "currency"),
    ({"amount": "100.00", "currency": "XAU"}, "currency"),
    ({"amount": "100.00", "currency": "XTS"}, "currency"),
    ({"amount": "100.00", "currency": "XXX"}, "currency"),
]


@pytest.mark.parametrize(("money", "field"), BAD_MONEY, ids=[f"{m['amount']!r}-{m['currency']}" for m, _ in BAD_MONEY])
async def test_bad_money_on_registration_is_refused_naming_the_field(
    registration_client, registration_settings, money, field
):
    client, settings = registration_client, registration_settings
    await enroll(client, settings, "p1")
    before = await outbox_types(settings)
    response = await client.post("/deals", json=deal_body("d1", "p1", expected_amount=money), headers=manager(settings))
    _named(response, f"body.expected_amount.{field}")
    assert await outbox_types(settings) == before
    assert await fetch(settings, "SELECT deal_id FROM deals") == []


async def test_bad_money_on_win_reversal_forecast_and_bulk_names_the_field(registration_client, registration_settings):
    client, settings = registration_client, registration_settings
    await enroll(client, settings, "p1")
    await register(client, settings, "d1", "p1")
    await advance(client, settings, "d1", "qualified", "proposal", "negotiation")
    bad = {"amount": "1.001", "currency": "USD"}
    won = await client.post("/deals/d1/won", json={"amount": bad, "closed_on": "2026-03-01"}, headers=manager(settings))
    _named(won, "body.amount.amount")
    forecast = await client.post("/deals/d1/forecast", json={"expected_amount": bad}, headers=manager(settings))
    _named(forecast, "body.expected_amount.amount")
    bulk = await client.post(
        "/deals/bulk",
        json={"deals": [deal_body("d2", "p1", expected_amount={"amount": "5", "currency": "XXX"})]},
        headers=manager(settings),
    )
    _named(bulk, "body.deals.0.expected_amount.currency")
    ok = await client.post(
        "/deals/d1/won", json={"amount": {"amount": "900.00", "currency": "USD"}, "closed_on": "2026-03-01"},
        headers=manager(settings),
    )  # fmt: skip
    assert ok.status_code == 200, ok.text
    reversal = await client.post(
        "/deals/d1/reversal", json={"kind": "refunded", "reason": "partial", "amount": bad}, headers=manager(settings)
    )
    _named(reversal, "body.amount.amount")
    assert (await outbox_types(settings)).count("deal.reversed") == 0


async def test_a_win_closed_in_the_far_future_is_refused(registration_client, registration_settings):
    client, settings = registration_client, registration_settings
    await enroll(client, settings, "p1")
    await register(client, settings, "d1", "p1")
    await advance(client, settings, "d1", "qualified", "proposal", "negotiation")
    before = await outbox_types(settings)
    amount = {"amount": "900.00", "currency": "USD"}
    for closed_on in ("9999-12-31", "2026-03-04", "0001-01-01", "1969-12-31"):
        won = await client.post(
            "/deals/d1/won", json={"amount": amount, "closed_on": closed_on}, headers=manager(settings)
        )
        _named(won, "body.closed_on")
    assert await outbox_types(settings) == before
    tomorrow = await client.post(
        "/deals/d1/won", json={"amount": amount, "closed_on": "2026-03-03"}, headers=manager(settings)
    )
    assert tomorrow.status_code == 200, tomorrow.text  # within the one-day skew


async def test_a_stage_change_in_the_future_or_before_the_approval_is_refused(
    registration_client, registration_settings, clock
):
    client, settings = registration_client, registration_settings
    await enroll(client, settings, "p1")
    await register(client, settings, "d1", "p1")  # approved on 2026-03-02
    for changed_at, location in (
        ("9999-12-31T00:00:00Z", "body.changed_at"),
        ("9999-12-31T23:59:59-23:59", "body.changed_at"),
        ("2026-03-10T00:00:00Z", "body.changed_at"),
        (0, "body.changed_at"),
    ):
        response = await client.post(
            "/deals/d1/stage", json={"stage": "qualified", "changed_at": changed_at}, headers=manager(settings)
        )
        _named(response, location)
    early = await client.post(
        "/deals/d1/stage", json={"stage": "qualified", "changed_at": "2026-02-01T00:00:00Z"}, headers=manager(settings)
    )
    assert early.status_code == 422, early.text
    assert "before the approval" in early.json()["detail"]
    assert "deal.stage_changed" not in await outbox_types(settings)


@pytest.mark.parametrize(
    ("path_and_body", "location"),
    [
        (("/deals", deal_body("d9", "p1", registered_on="0001-01-01")), "body.registered_on"),
        (("/deals", deal_body("d9", "p1", registered_on=0)), "body.registered_on"),
        (("/deals", deal_body("d9", "p1", expected_close="9999-12-31")), "body.expected_close"),
        (("/deals", deal_body("d9", "p1", registered_on="2027-01-01")), "body.registered_on"),
        (("/deals/expire", {"as_of": 0}), "body.as_of"),
        (("/deals/expire", {"as_of": "20260301"}), "body.as_of"),
        (("/deals/expire", {"as_of": "2999-01-01"}), "body.as_of"),
        (("/partners", partner_body("p9", enrolled_on="0001-01-01")), "body.enrolled_on"),
        (("/partners", partner_body("p9", enrolled_on="2030-01-01")), "body.enrolled_on"),
        (
            ("/direct-deals", {"customer_name": "Globex", "product_line": "cloud", "registered_on": "9999-12-31"}),
            "body.registered_on",
        ),
    ],
)
async def test_implausible_dates_are_refused_naming_the_field(
    registration_client, registration_settings, path_and_body, location
):
    client, settings = registration_client, registration_settings
    await enroll(client, settings, "p1")
    before = await outbox_types(settings)
    path, body = path_and_body
    _named(await client.post(path, json=body, headers=manager(settings)), location)
    assert await outbox_types(settings) == before


async def test_read_filters_take_real_dates(registration_client, registration_settings):
    client, settings = registration_client, registration_settings
    _named(await client.get("/deals?close_from=0", headers=manager(settings)), "query.close_from")
    _named(await client.get("/deals?close_to=9999-12-31", headers=manager(settings)), "query.close_to")
    _named(await client.get("/engagements?occurred_from=1", headers=manager(settings)), "query.occurred_from")


async def test_renaming_a_partner_to_null_is_a_422_naming_name(registration_client, registration_settings):
    client, settings = registration_client, registration_settings
    await enroll(client, settings, "p1")
    before = await outbox_types(settings)
    for field in ("name", "region", "partner_type", "program_id"):
        _named(await client.patch("/partners/p1", json={field: None}, headers=manager(settings)), f"body.{field}")
    assert await outbox_types(settings) == before
    cleared = await client.patch("/partners/p1", json={"vertical": None, "name": "P1 GmbH"}, headers=manager(settings))
    assert cleared.status_code == 200, cleared.text


async def test_the_future_skew_is_configurable(registration_settings, clock):
    settings = registration_settings.model_copy(update={"business_date_future_skew_days": 0})
    async with app_client(create_app(settings, clock=clock)) as client:
        await enroll(client, settings, "p1")
        await register(client, settings, "d1", "p1")
        await advance(client, settings, "d1", "qualified", "proposal", "negotiation")
        amount = {"amount": "900.00", "currency": "USD"}
        tomorrow = await client.post(
            "/deals/d1/won", json={"amount": amount, "closed_on": "2026-03-03"}, headers=manager(settings)
        )
        _named(tomorrow, "body.closed_on")
        today = await client.post(
            "/deals/d1/won", json={"amount": amount, "closed_on": "2026-03-02"}, headers=manager(settings)
        )
        assert today.status_code == 200, today.text
