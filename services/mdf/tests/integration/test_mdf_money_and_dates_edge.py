"""Money, periods and dates at the mdf API edge (issue 13, defects 3, 4 and 5).

One money type for budgets, allocations, requests, approvals and claims; periods within 1970..2999;
a close never dated in the future. Each refusal is a 422 naming the field, and nothing is stored.
The clock is fixed at 2026-04-01.
"""

from __future__ import annotations

from typing import Any

import pytest
from mdf_api import PERIOD, MdfApi, eur, outbox


def _named(response: Any, location: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert location in [e["location"] for e in response.json()["errors"]], response.json()


BAD = [
    ({"amount": "1.001", "currency": "EUR"}, "amount"),
    ({"amount": "10000000000000000", "currency": "EUR"}, "amount"),
    ({"amount": "1E+3", "currency": "EUR"}, "amount"),
    ({"amount": 1000, "currency": "EUR"}, "amount"),
    ({"amount": "1000.00", "currency": "XTS"}, "currency"),
    ({"amount": "1000.00", "currency": "ABC"}, "currency"),
]


@pytest.mark.parametrize(("money", "field"), BAD, ids=[f"{m['amount']!r}-{m['currency']}" for m, _ in BAD])
async def test_bad_money_on_budgets_allocations_requests_and_claims(mdf_client, mdf_settings, money, field):
    api = MdfApi(mdf_client, mdf_settings)
    _named(await api.write("PUT", f"/budgets/{PERIOD}", {"amount": money}, api.manager), f"body.amount.{field}")
    await api.budget("10000.00")
    allocation = {"partner_id": "p1", "period": PERIOD, "amount": money}
    _named(await api.write("POST", "/allocations", allocation, api.manager), f"body.amount.{field}")
    await api.allocate("p1", "5000.00")
    request = api.request_body("p1", "r1", "1000.00", requested_amount=money)
    _named(await api.write("POST", "/requests", request, api.partner("p1")), f"body.requested_amount.{field}")
    await api.submit("p1", "r2", "1000.00")
    approve = await api.write("POST", "/requests/r2/approve", {"amount": money}, api.manager)
    _named(approve, f"body.amount.{field}")
    await api.approve("r2")
    claim = api.claim_body("c1", "500.00", "1000.00", claimed_amount=money)
    _named(await api.write("POST", "/requests/r2/claims", claim, api.partner("p1")), f"body.claimed_amount.{field}")
    types = [o["type"] for o in await outbox(mdf_settings)]
    assert types == ["mdf.allocated", "mdf.request_submitted", "mdf.request_approved"]


@pytest.mark.parametrize("period", ["0000-Q1", "9999-Q4", "1969-Q4", "1544-Q3"])
async def test_implausible_periods_cannot_be_budgeted_or_closed(mdf_client, mdf_settings, period):
    api = MdfApi(mdf_client, mdf_settings)
    _named(await api.write("PUT", f"/budgets/{period}", {"amount": eur("1.00")}, api.manager), "path.period")
    _named(await api.write("POST", f"/periods/{period}/close", {"as_of": "2026-04-01"}, api.manager), "path.period")
    allocation = {"partner_id": "p1", "period": period, "amount": eur("1.00")}
    _named(await api.write("POST", "/allocations", allocation, api.manager), "body.period")
    assert await outbox(mdf_settings) == []


@pytest.mark.parametrize("as_of", [0, "0", "20260401", "9999-12-31", "2026-04-03", "1969-12-31"])
async def test_a_close_takes_a_real_date_that_is_not_in_the_future(mdf_client, mdf_settings, as_of):
    api = MdfApi(mdf_client, mdf_settings)
    _named(await api.write("POST", "/periods/2026-Q1/close", {"as_of": as_of}, api.manager), "body.as_of")
    assert await outbox(mdf_settings) == []
