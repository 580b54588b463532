"""Bulk registrations at the same time: conflicts are decided as if the requests ran one after
another, and requests about different customers do not wait for each other.

Customers are locked per key (a row of ``customer_locks`` per key hash, taken in one sorted order):
two requests that share a customer are serialized from the lock to the commit, the first one
holds every shared customer and the others see it; a request about other customers goes on while
one holds a customer's lock (with 256 advisory lock buckets it waited: its ~400 keys covered them).
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
from registration.adapters.unit import LOCK_CUSTOMERS, customer_lock_buckets
from registration.domain.identity import CustomerIdentity
from servicekit.db import sync_url

from .helpers import deal_body, enroll, fetch, manager

PARTNERS = ["p1", "p2", "p3", "p4"]
SHARED = 30  # customers every request registers, each spelled another way per partner
SPELLINGS = [("Shared {n} Inc", "shared-{n}.example"), ("SHARED {n}", "https://www.shared-{n}.example/x"),
             ("shared {n} llc", None), ("Shared {n}", "SHARED-{n}.example")]  # fmt: skip


def request_of(index: int, partner: str) -> list[dict[str, Any]]:
    name, domain = SPELLINGS[index]
    shared = [
        deal_body(
            f"{partner}-s{n}", partner, customer_name=name.format(n=n), customer_domain=domain and domain.format(n=n)
        )
        for n in range(SHARED)
    ]
    own = [
        deal_body(f"{partner}-o{n}", partner, customer_name=f"Own {partner} {n}", customer_domain=f"{partner}{n}.ex")
        for n in range(40)
    ]
    return [deal for pair in zip(shared, own[:SHARED], strict=True) for deal in pair] + own[SHARED:]


async def test_concurrent_bulk_requests_about_the_same_customers_are_decided_one_after_another(
    registration_client, registration_settings
):
    client, settings = registration_client, registration_settings
    await enroll(client, settings, *PARTNERS)
    responses = await asyncio.gather(
        *(
            client.post("/deals/bulk", json={"deals": request_of(i, p)}, headers=manager(settings))
            for i, p in enumerate(PARTNERS)
        )
    )
    assert [r.status_code for r in responses] == [201] * len(PARTNERS), [r.text[:200] for r in responses]
    items = {d["deal_id"]: d for r in responses for d in r.json()["deals"]}
    # Every request's shared deals sit at ONE place in a serial order: the first holds them all, the
    # k-th conflicts with the k-1 before it.
    places = {p: {items[f"{p}-s{n}"]["conflict_count"] for n in range(SHARED)} for p in PARTNERS}
    assert all(len(found) == 1 for found in places.values()), places
    order = sorted(PARTNERS, key=lambda p: next(iter(places[p])))
    assert [next(iter(places[p])) for p in order] == [0, 1, 2, 3]
    first = order[0]
    for n in range(SHARED):
        assert items[f"{first}-s{n}"]["status"] != "conflict"  # pending: 70 a day trips the velocity flag
        for later in order[1:]:
            item = items[f"{later}-s{n}"]
            assert item["status"] == "conflict"
            assert item["conflicts_with"][0] == f"{first}-s{n}"
    assert all(items[f"{p}-o{n}"]["status"] != "conflict" for p in PARTNERS for n in range(40))
    rows = await fetch(settings, "SELECT status = 'conflict' AS conflict, count(*) AS n FROM deals GROUP BY 1")
    assert {r["conflict"]: r["n"] for r in rows} == {False: SHARED + 4 * 40, True: 3 * SHARED}
    held = await fetch(settings, "SELECT count(*) AS n FROM customer_locks")
    sent = [d for i, p in enumerate(PARTNERS) for d in request_of(i, p)]
    assert held[0]["n"] == len(customer_lock_buckets(_identities(sent)))  # one lock row per key


def _identities(deals: Any) -> list[CustomerIdentity]:
    return [CustomerIdentity.of(d["customer_name"], d["customer_domain"]) for d in deals]


async def test_a_request_about_other_customers_goes_on_while_a_customer_is_locked(
    registration_client, registration_settings
):
    client, settings = registration_client, registration_settings
    await enroll(client, settings, "p1", "p2")
    other = [
        deal_body(f"other-{n}", "p1", customer_name=f"Other {n}", customer_domain=f"o{n}.example") for n in range(200)
    ]
    # Another partner: three of those customers (by name: they will have committed first) and the locked one.
    names = ["Other 0", "Other 1", "Other 2", "Locked Corp"]
    same = [deal_body(f"same-{i}", "p2", customer_name=name, customer_domain=None) for i, name in enumerate(names)]
    holder = await asyncpg.connect(sync_url(settings.database_url))
    try:
        transaction = holder.transaction()
        await transaction.start()
        hashes = customer_lock_buckets([CustomerIdentity.of("Locked Corp", "locked.example")])
        await holder.execute(LOCK_CUSTOMERS.text.replace(":hashes", "$1"), hashes)
        waiting = asyncio.create_task(client.post("/deals/bulk", json={"deals": same}, headers=manager(settings)))
        for _ in range(200):  # bounded wait until that request waits for the customer
            count = await holder.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if count:
                break
            await asyncio.sleep(0.05)
        assert count == 1
        assert not waiting.done()
        # Meanwhile 200 registrations of other customers (400 keys) commit.
        response = await asyncio.wait_for(
            client.post("/deals/bulk", json={"deals": other}, headers=manager(settings)), timeout=60
        )
        assert response.status_code == 201, response.text
        assert not waiting.done()
        await transaction.commit()
        answer = await asyncio.wait_for(waiting, timeout=60)
    finally:
        await holder.close()
    assert answer.status_code == 201, answer.text
    decided = [(d["status"], d["conflicts_with"]) for d in answer.json()["deals"]]
    assert decided == [("conflict", [f"other-{n}"]) for n in range(3)] + [("approved", [])]
