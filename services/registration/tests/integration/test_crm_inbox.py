"""The CRM inbox: deliveries are stored at the edge (202), applied by the crm-sync worker, and
their fate is visible to the CRM integrator."""

from __future__ import annotations

import asyncio

from registration.entrypoints.crm_worker import CrmSyncWorker, DrainCounts
from servicekit.container import app_container

from .crm_clients import GenericCrm, Opportunity
from .helpers import drain, enroll, fetch, manager, partner_token


async def test_a_delivery_is_accepted_stored_once_and_applied_by_the_worker(registration_client, registration_settings):
    client, settings = registration_client, registration_settings
    await enroll(client, settings, "p1")
    crm = GenericCrm(settings)
    body = crm.body("dl-1", [Opportunity("opp-1", 1, "qualified")])
    first = await client.post(crm.path, content=body, headers=crm.headers(body))
    replay = await client.post(crm.path, content=body, headers=crm.headers(body))
    assert (first.status_code, replay.status_code) == (202, 202)
    assert first.json() == {"delivery_id": "dl-1", "duplicate": False, "received": 1}
    assert replay.json() == {"delivery_id": "dl-1", "duplicate": True, "received": 1}
    assert len(await fetch(settings, "SELECT id FROM crm_inbox")) == 1

    pending = await client.get("/crm/deliveries/generic/dl-1", headers=manager(settings))
    assert (pending.json()["status"], pending.json()["outcome"]) == ("pending", None)
    assert (await client.get(f"/deals/{crm.deal_id('opp-1')}", headers=manager(settings))).status_code == 404

    assert await drain(client) == DrainCounts(applied=1)
    assert await drain(client) == DrainCounts()  # nothing is applied twice
    applied = (await client.get("/crm/deliveries/generic/dl-1", headers=manager(settings))).json()
    assert applied["status"] == "applied"
    assert applied["processed_at"] is not None
    assert [(o["record_id"], o["result"], o["deal_id"]) for o in applied["outcome"]["outcomes"]] == [
        ("opp-1", "applied", crm.deal_id("opp-1"))
    ]
    deal = (await client.get(f"/deals/{crm.deal_id('opp-1')}", headers=manager(settings))).json()
    assert (deal["status"], deal["stage"]) == ("approved", "qualified")


async def test_a_failing_delivery_records_its_error_and_does_not_block_the_others(
    registration_client, registration_settings
):
    client, settings = registration_client, registration_settings
    await enroll(client, settings, "p1")
    crm = GenericCrm(settings)
    before = crm.body("dl-1", [Opportunity("opp-1", 1, "open")])
    await client.post(crm.path, content=before, headers=crm.headers(before))
    # A stored delivery the worker cannot read (say, written by a broken release).
    await fetch(
        settings,
        """INSERT INTO crm_inbox (source, delivery_id, payload)
           VALUES ('generic', 'dl-broken', '{"changes": [{"record_id": "opp-9"}]}')""",
    )
    after = crm.body("dl-2", [Opportunity("opp-1", 2, "qualified"), Opportunity("opp-2", 1, "open", domain="b.ex")])
    await client.post(crm.path, content=after, headers=crm.headers(after))

    assert await drain(client) == DrainCounts(applied=2, failed=1)
    broken = (await client.get("/crm/deliveries/generic/dl-broken", headers=manager(settings))).json()
    assert broken["status"] == "failed"
    assert "KeyError" in broken["outcome"]["error"]
    later = (await client.get("/crm/deliveries/generic/dl-2", headers=manager(settings))).json()
    assert [o["result"] for o in later["outcome"]["outcomes"]] == ["applied", "applied"]
    first = (await client.get(f"/deals/{crm.deal_id('opp-1')}", headers=manager(settings))).json()
    second = (await client.get(f"/deals/{crm.deal_id('opp-2')}", headers=manager(settings))).json()
    assert (first["stage"], second["stage"]) == ("qualified", "approved")
    assert await drain(client) == DrainCounts()  # a failed delivery is recorded, not retried forever


async def test_delivery_status_is_for_the_vendor_only(registration_client, registration_settings):
    client, settings = registration_client, registration_settings
    await enroll(client, settings, "p1")
    crm = GenericCrm(settings)
    body = crm.body("dl-1", [Opportunity("opp-1", 1, "open")])
    await client.post(crm.path, content=body, headers=crm.headers(body))
    assert (await client.get("/crm/deliveries/generic/dl-1")).status_code == 401
    assert (await client.get("/crm/deliveries/generic/dl-1", headers=partner_token(settings, "p1"))).status_code == 403
    missing = await client.get("/crm/deliveries/generic/dl-nope", headers=manager(settings))
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


async def test_the_worker_process_loop_applies_what_arrives(registration_client, registration_settings):
    client, settings = registration_client, registration_settings
    await enroll(client, settings, "p1")
    app = client._transport.app  # type: ignore[attr-defined]
    worker = CrmSyncWorker(
        app_container(app).runtime.uow_factory,
        app_container(app).crm_sync(),
        poll_seconds=0.2,
    )
    standby = CrmSyncWorker(app_container(app).runtime.uow_factory, worker.sync, poll_seconds=0.2)
    tasks = [asyncio.create_task(worker.run()), asyncio.create_task(standby.run())]
    try:
        crm = GenericCrm(settings)
        for index in range(3):
            body = crm.body(f"dl-{index}", [Opportunity("opp-1", index + 1, ("open", "qualified", "proposal")[index])])
            await client.post(crm.path, content=body, headers=crm.headers(body))
        for _ in range(100):  # bounded wait for the worker, not a timing assertion
            if worker.stats.total + standby.stats.total >= 3:
                break
            await asyncio.sleep(0.1)
    finally:
        worker.stop()
        standby.stop()
        await asyncio.gather(*tasks)
    assert worker.stats.total + standby.stats.total == 3
    assert 0 in (worker.stats.total, standby.stats.total)  # one leader applied everything
    deal = (await client.get(f"/deals/{crm.deal_id('opp-1')}", headers=manager(settings))).json()
    assert deal["stage"] == "proposal"
