"""Money, dates, periods and versions at the ledger API edge (issue 13, defects 3, 4 and 5).

Payout batches used to take any three letters and any decimal, program version 2147483648 in a path
answered 500, and integers were read as dates. Each is a 422 problem+json naming the field now, and
nothing is stored.
"""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
from servicekit.db import sync_url
from servicekit.testing.client import auth_header


async def fetch(settings: Any, sql: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(sync_url(settings.database_url))
    try:
        return list(await conn.fetch(sql))
    finally:
        await conn.close()


def _named(response: Any, location: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert location in [e["location"] for e in response.json()["errors"]], response.json()


CUT = {"currency": "USD", "cutoff": "2026-03-31T23:59:59Z", "minimum_amount": "0"}


@pytest.mark.parametrize(
    ("change", "location"),
    [
        ({"currency": "ABC"}, "body.currency"),
        ({"currency": "XAU"}, "body.currency"),
        ({"currency": "XXX"}, "body.currency"),
        ({"currency": "usd"}, "body.currency"),
        ({"minimum_amount": "10000000000000000"}, "body.minimum_amount"),
        ({"minimum_amount": "1E+2"}, "body.minimum_amount"),
        ({"minimum_amount": " 1.00"}, "body.minimum_amount"),
        ({"minimum_amount": 100}, "body.minimum_amount"),
        ({"cutoff": 0}, "body.cutoff"),
        ({"cutoff": "9999-12-31T23:59:59-23:59"}, "body.cutoff"),
        ({"cutoff": "0001-01-01T00:00:00Z"}, "body.cutoff"),
    ],
)
async def test_a_payout_batch_takes_only_real_currencies_and_strict_amounts(
    ledger_client, ledger_settings, change, location
):
    headers = auth_header(ledger_settings, "finance:write") | {"Idempotency-Key": f"cut-{location}-{change}"}
    _named(await ledger_client.post("/payout-batches", json={**CUT, **change}, headers=headers), location)
    assert await fetch(ledger_settings, "SELECT batch_id FROM payout_batches") == []


async def test_an_acknowledgement_dated_in_the_future_is_refused(ledger_client, ledger_settings):
    headers = auth_header(ledger_settings, "finance:write") | {"Idempotency-Key": "ack-future"}
    body = {"lines": [{"status": "paid", "line_id": "l1", "payment_reference": "PAY-1", "at": "9999-01-01T00:00:00Z"}]}
    _named(
        await ledger_client.post("/payout-batches/b1/acknowledgements", json=body, headers=headers), "body.lines.0.at"
    )
    body["lines"][0]["at"] = "2999-01-01T00:00:00Z"
    _named(
        await ledger_client.post("/payout-batches/b1/acknowledgements", json=body, headers=headers), "body.lines.0.at"
    )


async def test_a_payout_minimum_finer_than_the_currency_is_refused(ledger_client, ledger_settings):
    headers = auth_header(ledger_settings, "finance:write") | {"Idempotency-Key": "cut-jpy"}
    response = await ledger_client.post(
        "/payout-batches", json={**CUT, "currency": "JPY", "minimum_amount": "1.5"}, headers=headers
    )
    assert response.status_code == 422, response.text
    assert "minimum_amount" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "location"),
    [
        ({"currency": "ZZZ", "reward_expense": "1.00", "mdf_usage": "0", "payouts": "0"}, "body.currency"),
        ({"currency": "USD", "reward_expense": 1.5, "mdf_usage": "0", "payouts": "0"}, "body.reward_expense"),
        ({"currency": "USD", "reward_expense": "1" * 40, "mdf_usage": "0", "payouts": "0"}, "body.reward_expense"),
    ],
)
async def test_a_forecast_takes_the_money_rules(ledger_client, ledger_settings, body, location):
    finance = auth_header(ledger_settings, "finance:write")
    _named(await ledger_client.put("/reconciliation/forecasts/2026-Q1", json=body, headers=finance), location)


@pytest.mark.parametrize("period", ["0000-Q1", "9999-Q4", "1969-Q4", "1544-Q3"])
async def test_implausible_periods_are_refused(ledger_client, ledger_settings, period):
    finance = auth_header(ledger_settings, "finance:write")
    body = {"currency": "USD", "reward_expense": "1.00", "mdf_usage": "0", "payouts": "0"}
    _named(await ledger_client.put(f"/reconciliation/forecasts/{period}", json=body, headers=finance), "path.period")
    reader = auth_header(ledger_settings, "finance:read")
    _named(await ledger_client.get(f"/reconciliation?period={period}", headers=reader), "query.period")


async def test_out_of_range_versions_and_integer_dates_are_422s(ledger_client, ledger_settings):
    admin = auth_header(ledger_settings, "program:admin")
    for version in ("2147483648", "-1", "99999999999999999999", "1.5"):
        _named(await ledger_client.get(f"/programs/growth/versions/{version}", headers=admin), "path.version")
        published = await ledger_client.post(
            f"/programs/growth/versions/{version}/publish", json={"effective_from": "2026-04-01"}, headers=admin
        )
        _named(published, "path.version")
    not_there = await ledger_client.get("/programs/growth/versions/2147483647", headers=admin)
    assert not_there.status_code == 404, not_there.text
    reader = auth_header(ledger_settings, "ledger:read")
    _named(await ledger_client.get("/partners/acme/balances?as_of=0", headers=reader), "query.as_of")
    statement = "/partners/acme/statement?from=2026-01-01&to=9999-12-31"
    _named(await ledger_client.get(statement, headers=reader), "query.to")
    statement = "/partners/acme/statement?from=0001-01-01&to=2026-01-01"
    _named(await ledger_client.get(statement, headers=reader), "query.from")
    _named(await ledger_client.get("/programs/growth/in-force?on=0", headers=admin), "query.on")
