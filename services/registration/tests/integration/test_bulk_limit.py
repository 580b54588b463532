"""Bulk registrations at the documented limit (5,000 deals each), two at once, both commit on a
default PostgreSQL.

Each deal's customer has two lock keys (domain and name). One advisory lock per key would need
20,000 entries in the shared lock table for two such batches; it holds about 6,400 by default
(max_locks_per_transaction x max_connections), and the second batch failed "out of shared memory".
Customer locks are row locks now (``customer_locks``), which take no room in that table.
"""

from __future__ import annotations

import asyncio

from .helpers import fetch, manager, partner_body

LIMIT = 5000


def batch(name: str) -> list[dict[str, object]]:
    return [
        {
            "deal_id": f"{name}-{n}",
            "partner_id": ("bulk-a", "bulk-b")[n % 2],
            "customer_name": f"Customer {name} {n}",
            "customer_domain": f"customer-{n}.{name}.example",
            "product_line": "cloud",
            "expected_amount": {"amount": "1000.00", "currency": "USD"},
            "expected_close": "2026-06-30",
        }
        for n in range(LIMIT)
    ]


async def test_two_bulks_of_five_thousand_deals_at_once_register_every_deal(registration_client, registration_settings):
    headers = manager(registration_settings)
    for p in ("bulk-a", "bulk-b"):
        response = await registration_client.post(
            "/partners", json=partner_body(p), headers={**headers, "Idempotency-Key": p}
        )
        assert response.status_code == 201, response.text
    responses = await asyncio.gather(
        *(
            registration_client.post(
                "/deals/bulk", json={"deals": batch(name)}, headers={**headers, "Idempotency-Key": name}
            )
            for name in ("one", "two")
        )
    )
    for response in responses:
        assert response.status_code == 201, response.text
        assert response.json()["registered"] == LIMIT
    rows = await fetch(registration_settings, "SELECT count(*) AS n FROM deals")
    assert rows[0]["n"] == 2 * LIMIT
