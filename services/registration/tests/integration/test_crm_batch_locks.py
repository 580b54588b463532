"""The batch path beside other transactions: locks in the API's order (customers before deal
rows), and a notification id claimed meanwhile elsewhere is never applied twice.

The API's award locks a customer, then the rival deals ``FOR UPDATE``. A crm-sync batch that both
moves an existing deal and registers a rival of it must not hold the deal's row while it waits for
the customer: that would be a lock cycle (PostgreSQL would abort one of the two).
"""

from __future__ import annotations

import asyncio

import asyncpg
from registration.adapters import crm_batch
from registration.adapters.unit import LOCK_CUSTOMERS, customer_lock_buckets
from registration.domain.identity import CustomerIdentity
from registration.entrypoints.crm_worker import DrainCounts, drain_batch
from servicekit.container import app_container
from servicekit.db import sync_url

from .crm_clients import GenericCrm, Opportunity
from .helpers import enroll, fetch, manager

SHARED = {"customer": "Shared Corp", "domain": "shared.example"}


async def test_a_batch_waits_for_a_customer_without_holding_its_deals(registration_client, registration_settings):
    client, settings = registration_client, registration_settings
    app = client._transport.app  # type: ignore[attr-defined]
    sync = app_container(app).crm_sync()
    await enroll(client, settings, "p1", "p2")
    crm = GenericCrm(settings)
    first = crm.body("dl-1", [Opportunity("o1", 1, "open", **SHARED)])
    await client.post(crm.path, content=first, headers=crm.headers(first))
    assert await drain_batch(app_container(app).runtime.uow_factory, sync) == DrainCounts(applied=1)
    # One batch: the existing deal moves on, and another partner registers the same customer.
    later = crm.body(
        "dl-2", [Opportunity("o1", 2, "qualified", **SHARED), Opportunity("o2", 1, "open", partner_id="p2", **SHARED)]
    )
    await client.post(crm.path, content=later, headers=crm.headers(later))

    award = await asyncpg.connect(sync_url(settings.database_url))
    try:
        transaction = award.transaction()
        await transaction.start()
        hashes = customer_lock_buckets([CustomerIdentity.of(SHARED["customer"], SHARED["domain"])])
        await award.execute(LOCK_CUSTOMERS.text.replace(":hashes", "$1"), hashes)  # the award's customer lock
        drain = asyncio.create_task(drain_batch(app_container(app).runtime.uow_factory, sync))
        for _ in range(200):  # bounded wait until the batch waits for the customer
            waiting = await award.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if waiting:
                break
            await asyncio.sleep(0.05)
        assert waiting == 1
        # The award's next step: the rival deals, FOR UPDATE. The batch does not hold them.
        rows = await award.fetch("SELECT deal_id FROM deals WHERE deal_id = 'generic-o1' FOR UPDATE NOWAIT")
        assert [r["deal_id"] for r in rows] == ["generic-o1"]
        await transaction.commit()
        assert await asyncio.wait_for(drain, timeout=30) == DrainCounts(applied=1)
    finally:
        await award.close()
    first_deal = (await client.get("/deals/generic-o1", headers=manager(settings))).json()
    second = (await client.get("/deals/generic-o2", headers=manager(settings))).json()
    assert (first_deal["stage"], second["status"], second["conflicts_with"]) == (
        "qualified",
        "conflict",
        ["generic-o1"],
    )


async def test_a_notification_id_claimed_meanwhile_by_another_transaction_is_not_applied_twice(
    registration_client, registration_settings, monkeypatch
):
    client, settings = registration_client, registration_settings
    app = client._transport.app  # type: ignore[attr-defined]
    sync = app_container(app).crm_sync()
    await enroll(client, settings, "p1")
    crm = GenericCrm(settings)
    body = crm.body("dl-1", [Opportunity("o1", 1, "open"), Opportunity("o2", 1, "open", domain="other.example")])
    await client.post(crm.path, content=body, headers=crm.headers(body))
    flush = crm_batch.flush

    async def another_worker_claims_first(conn, state):  # type: ignore[no-untyped-def]
        other = await asyncpg.connect(sync_url(settings.database_url))
        try:  # committed after the batch looked, before it writes its claims
            await other.execute(
                "INSERT INTO webhook_deliveries (source, delivery_id, record_id, outcome) "
                "VALUES ('generic', 'dl-1/0', 'o1', 'applied: elsewhere')"
            )
        finally:
            await other.close()
        await flush(conn, state)

    monkeypatch.setattr(crm_batch, "flush", another_worker_claims_first)
    assert await drain_batch(app_container(app).runtime.uow_factory, sync) == DrainCounts(applied=1)
    status = (await client.get("/crm/deliveries/generic/dl-1", headers=manager(settings))).json()
    assert [(o["record_id"], o["result"]) for o in status["outcome"]["outcomes"]] == [
        ("o1", "duplicate"),
        ("o2", "applied"),
    ]
    assert (await client.get("/deals/generic-o1", headers=manager(settings))).status_code == 404
    claims = await fetch(settings, "SELECT delivery_id, outcome FROM webhook_deliveries ORDER BY delivery_id")
    assert [(r["delivery_id"], r["outcome"]) for r in claims] == [
        ("dl-1/0", "applied: elsewhere"),
        ("dl-1/1", "applied: in step"),
    ]
