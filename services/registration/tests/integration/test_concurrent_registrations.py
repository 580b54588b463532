"""Fifty partners registering the same customer and product at the same moment."""

from __future__ import annotations

import asyncio
from collections import Counter

from .helpers import deal_body, fetch, manager, partner_body


async def test_fifty_concurrent_registrations_leave_one_holder_and_forty_nine_conflicts(
    registration_client, registration_settings
):
    client, settings = registration_client, registration_settings
    partners = [f"p{i:02d}" for i in range(50)]
    await asyncio.gather(*(client.post("/partners", json=partner_body(p), headers=manager(settings)) for p in partners))
    names = ["Globex Inc", "GLOBEX, Inc.", "globex incorporated", "Globex"]
    domains = ["globex.example", "https://www.globex.example/", None, "GLOBEX.example"]
    responses = await asyncio.gather(
        *(
            client.post(
                "/deals",
                json=deal_body(
                    f"d{i:02d}", p, customer_name=names[i % 4], customer_domain=domains[i % 4], product_line="Cloud"
                ),
                headers=manager(settings),
            )
            for i, p in enumerate(partners)
        )
    )
    assert [r.status_code for r in responses] == [201] * 50
    statuses = Counter(r.json()["status"] for r in responses)
    assert statuses == {"approved": 1, "conflict": 49}
    holder = next(r.json()["deal_id"] for r in responses if r.json()["status"] == "approved")
    assert all(holder in r.json()["conflicts_with"] for r in responses if r.json()["status"] == "conflict")
    rows = await fetch(settings, "SELECT status, count(*) AS n FROM deals GROUP BY status")
    assert {r["status"]: r["n"] for r in rows} == {"approved": 1, "conflict": 49}
