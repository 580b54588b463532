"""The crm-sync worker applying a batch together decides and records exactly what applying the same
deliveries one at a time does.

Fresh databases get the same partners, an earlier API registration, a vendor-direct deal and the
same CRM deliveries (generic, HubSpot and Salesforce, in two rounds, so the second round finds
records and deals from the first). One database is drained one delivery at a time (each in its
own savepoint, statement by statement, as before), the others with the batch path: as designed,
with its preparation made to miss (so it falls back to one at a time), and with its final writes
failing (so its savepoint is rolled back and it falls back). The rounds are built to take every
branch: a record updated several times in one batch (order matters), stage jumps walking every
gate, won, lost, won then cancelled (reversed), forecast changes, stale and repeated versions,
notification ids repeated within a batch and across batches, an unknown partner and an unmapped
stage (rejected), deals waiting for fields or for a manager (pending over the cap, in conflict
with another partner, with an earlier API registration and with a vendor-direct deal), velocity
and multi-partner flags, and a delivery that cannot be read (failed). Every deal row (including
its sequence number), history entry, outbox event, CRM record, notification outcome and inbox
outcome must be the same (event ids and wall-clock times aside; deals in the same order).
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from registration.adapters import crm_batch, deals_repo
from registration.application import crm_sync
from registration.config import RegistrationSettings
from registration.entrypoints import crm_worker
from registration.entrypoints.api import create_app
from registration.entrypoints.crm_worker import DrainCounts, drain_batch
from servicekit.container import app_container
from servicekit.testing.client import app_client

from ..conftest import ALEMBIC_INI
from .crm_clients import GenericCrm, HubspotCrm, Opportunity, SalesforceCrm
from .helpers import deal_body, fetch, manager, partner_body

PARTNERS = ["p1", "p2", "p3"]


def generic(delivery_id: str, *records: dict[str, Any]) -> bytes:
    return orjson.dumps({"delivery_id": delivery_id, "records": list(records)})


def rec(record_id: str, version: int, stage: str | None = "open", event_id: str | None = None, **fields: Any) -> dict:
    values: dict[str, Any] = {
        "partner_id": "p1",
        "customer_name": f"Customer {record_id}",
        "customer_domain": f"{record_id}.example",
        "product_line": "cloud",
        "amount": "1000.00",
        "currency": "USD",
        "close_date": "2026-06-30",
        "created_date": "2026-03-02",
        "stage": stage,
    }
    values.update(fields)
    body: dict[str, Any] = {"record_id": record_id, "version": version, "fields": values}
    if event_id:
        body["event_id"] = event_id
    return body


def first_round() -> list[tuple[str, bytes]]:
    g = []
    g.append(generic("a1", rec("o1", 1), rec("o2", 1, "qualified")))
    g.append(generic("a2", rec("o1", 2, "qualified"), rec("o3", 1, "won", amount="1300.00")))
    g.append(generic("a3", rec("o1", 3, "proposal"), rec("o4", 1, "won")))
    g.append(generic("a4", rec("o5", 1, partner_id="nobody"), rec("o6", 1, "Weird Stage")))
    # Two partners, one customer and product line: the second is in conflict; a third flags it.
    same = {"customer_name": "Shared Corp", "customer_domain": "shared.example"}
    g.append(generic("a5", rec("o7", 1, **same), rec("o8", 1, partner_id="p2", **same)))
    g.append(generic("a6", rec("o9", 1, partner_id="p3", **same), rec("o10", 1, "qualified", amount="900000.00")))
    # The customer of an earlier API registration (another partner) and of a vendor-direct deal.
    g.append(generic("a7", rec("o11", 1, customer_name="Initech", customer_domain="initech.example")))
    g.append(generic("a8", rec("o12", 1, customer_name="Vendor Direct", customer_domain="vendor-direct.example")))
    # Waiting for fields, then completed in the same batch; a notification id repeated in the batch.
    g.append(generic("a9", rec("o13", 1, amount=None, event_id="ev-1")))
    g.append(generic("a10", rec("o13", 2, "qualified", event_id="ev-1"), rec("o13", 3, "qualified", event_id="ev-2")))
    # Velocity: p2 registers many deals in a short time.
    g.append(generic("a11", *[rec(f"v{i}", 1, partner_id="p2") for i in range(8)]))
    # A stale version after a newer one, and the newer one repeated under a new notification id.
    g.append(generic("a12", rec("o1", 2, "qualified")))
    g.append(generic("a13", rec("o1", 3, "proposal", event_id="ev-o1-3")))
    # A deal the API registered under the id the CRM record maps to.
    g.append(generic("a14", rec("o14", 1, "qualified", partner_id="p2")))
    return [("generic", body) for body in g]


def second_round() -> list[tuple[str, bytes]]:
    g = []
    g.append(generic("b1", rec("o1", 4, "won", amount="1100.00")))
    g.append(generic("b2", rec("o3", 2, "cancelled", amount="1300.00"), rec("o2", 2, "lost", lost_reason="budget")))
    g.append(generic("b3", rec("o4", 2, "won", amount="1500.00", close_date="2026-07-31")))
    g.append(generic("b4", rec("o7", 2, "qualified", amount="1200.00", close_date="2026-08-31")))
    g.append(generic("b5", rec("o8", 2, "proposal", **{"customer_name": "Shared Corp"})))
    g.append(generic("b6", rec("o5", 2, "qualified", partner_id="nobody"), rec("o6", 2, "proposal")))
    g.append(generic("b7", rec("o13", 4, "negotiation", event_id="ev-2")))  # already seen: duplicate
    g.append(generic("b8", rec("o15", 1, "won", amount="2000.00"), rec("o15", 2, "qualified", amount="2000.00")))
    g.append(generic("b9", *[rec(f"v{i}", 2, "qualified", partner_id="p2") for i in range(0, 8, 2)]))
    return [("generic", body) for body in g]


def other_crms(settings: RegistrationSettings) -> list[tuple[Any, bytes]]:
    hubspot, salesforce = HubspotCrm(settings), SalesforceCrm(settings)
    return [
        (hubspot, hubspot.body("h1", [Opportunity("hs-101", 1, "open", customer="Hubco", domain="hubco.example")])),
        (hubspot, hubspot.body("h2", [Opportunity("hs-101", 2, "proposal", customer="Hubco", domain="hubco.example")])),
        (
            salesforce,
            salesforce.body("s1", [Opportunity("006A", 1, "qualified", customer="Sales", domain="s.example")]),
        ),
        (salesforce, salesforce.body("s2", [Opportunity("006A", 2, "won", customer="Sales", domain="s.example")])),
    ]


async def prepare(client, settings: RegistrationSettings) -> None:
    headers = manager(settings)
    for partner in PARTNERS:
        assert (await client.post("/partners", json=partner_body(partner), headers=headers)).status_code == 201
    earlier = [
        deal_body("api-1", "p3", customer_name="Initech", customer_domain="initech.example"),
        deal_body("generic-o14", "p2", customer_name="Customer o14", customer_domain="o14.example"),
    ]
    for body in earlier:
        assert (await client.post("/deals", json=body, headers=headers)).status_code == 201
    direct = {"direct_deal_id": "v1", "customer_name": "Vendor Direct", "customer_domain": "vendor-direct.example",
              "product_line": "cloud"}  # fmt: skip
    assert (await client.post("/direct-deals", json=direct, headers=headers)).status_code == 201


async def post_round(client, settings: RegistrationSettings, bodies: list[tuple[Any, bytes]]) -> None:
    generic_crm = GenericCrm(settings)
    for crm, body in bodies:
        crm = generic_crm if crm == "generic" else crm
        response = await client.post(crm.path, content=body, headers=crm.headers(body))
        assert response.status_code == 202, response.text


async def snapshot(settings: RegistrationSettings) -> dict[str, Any]:
    deals = await fetch(settings, "SELECT * FROM deals ORDER BY seq")
    history = await fetch(
        settings, "SELECT deal_id, event_type, occurred_at, actor, data::text AS data FROM deal_history ORDER BY id"
    )
    outbox = await fetch(settings, "SELECT event_type, partition_key, sequence, payload FROM outbox ORDER BY id")
    records = await fetch(settings, "SELECT * FROM crm_records ORDER BY source, record_id")
    notifications = await fetch(
        settings, "SELECT source, delivery_id, record_id, outcome FROM webhook_deliveries ORDER BY source, delivery_id"
    )
    inbox = await fetch(
        settings,
        "SELECT id, source, delivery_id, processed_at IS NOT NULL AS done, outcome::text AS outcome "
        "FROM crm_inbox ORDER BY id",
    )
    return {
        # In seq order, without the values: every upsert draws a value from the sequence (one by one
        # upserts a deal once per step, together once per batch); the order is what listings use.
        "deals": [{k: v for k, v in dict(r).items() if k not in ("seq", "updated_at")} for r in deals],
        "history": [{**dict(r), "data": orjson.loads(r["data"])} for r in history],
        "outbox": [
            (r["event_type"], r["partition_key"], r["sequence"], {k: e[k] for k in ("type", "subject", "time", "data")})
            for r in outbox
            for e in [orjson.loads(r["payload"])]
        ],
        "records": [{k: v for k, v in dict(r).items() if k != "updated_at"} for r in records],
        "notifications": [dict(r) for r in notifications],
        "inbox": [{**dict(r), "outcome": r["outcome"] and orjson.loads(r["outcome"])} for r in inbox],
    }


async def run(database_factory, kafka_bootstrap, topic_prefix, clock, *, together: bool) -> tuple[dict, list]:
    settings = RegistrationSettings(
        environment="test",
        database_url=database_factory.create(ALEMBIC_INI, prefix="reg"),
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_prefix=topic_prefix,
        velocity_min_count=3,
    )
    counts = []
    async with app_client(create_app(settings, clock=clock)) as client:
        app = client._transport.app  # type: ignore[attr-defined]
        sync = app_container(app).crm_sync()
        await prepare(client, settings)
        await post_round(client, settings, first_round() + other_crms(settings)[:2])
        await fetch(  # a stored delivery the worker cannot read
            settings,
            """INSERT INTO crm_inbox (source, delivery_id, payload)
               VALUES ('generic', 'broken', '{"changes": [{"record_id": "o99"}]}')""",
        )
        counts.append(await drain_batch(app_container(app).runtime.uow_factory, sync, limit=1000, together=together))
        await post_round(client, settings, second_round() + other_crms(settings)[2:])
        counts.append(await drain_batch(app_container(app).runtime.uow_factory, sync, limit=1000, together=together))
        counts.append(await drain_batch(app_container(app).runtime.uow_factory, sync, limit=1000, together=together))
    return await snapshot(settings), counts


def assert_same(actual: dict[str, Any], expected: dict[str, Any]) -> None:
    """Section by section, row by row (a failure names the first row that differs)."""
    assert actual.keys() == expected.keys()
    for section, rows in expected.items():
        for index, (got, wanted) in enumerate(zip(actual[section], rows, strict=False)):
            if isinstance(got, dict) and isinstance(wanted, dict) and got.keys() == wanted.keys():
                differ = {k: (got[k], wanted[k]) for k in got if got[k] != wanted[k]}
                assert (section, index, differ) == (section, index, {}), wanted
            assert (section, index, got) == (section, index, wanted)
        assert len(actual[section]) == len(rows), section


def no_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    async def refused(*_: Any, **__: Any) -> Any:
        raise AssertionError("the batch fell back to one delivery at a time")

    original = crm_sync.apply_one_by_one

    async def only_when_empty(tx, sync, deliveries):  # type: ignore[no-untyped-def]
        if deliveries:
            return await refused()
        return await original(tx, sync, deliveries)

    monkeypatch.setattr(crm_sync, "apply_one_by_one", only_when_empty)


async def test_a_batch_applied_together_equals_the_same_deliveries_one_by_one(
    database_factory, kafka_bootstrap, topic_prefix, clock, monkeypatch
):
    one_by_one, counts = await run(database_factory, kafka_bootstrap, topic_prefix, clock, together=False)
    assert counts == [DrainCounts(applied=16, failed=1), DrainCounts(applied=11), DrainCounts()]

    # The scenario takes the branches it is meant to.
    results = {
        o["result"]
        for d in one_by_one["inbox"]
        if d["outcome"]["status"] == "applied"
        for o in d["outcome"]["outcomes"]
    }
    assert results == {"applied", "unchanged", "duplicate", "waiting", "rejected"}
    statuses = {d["deal_id"]: d["status"] for d in one_by_one["deals"]}
    assert statuses["generic-o1"] == "won"
    assert statuses["generic-o3"] == "reversed"
    assert statuses["generic-o2"] == "lost"
    assert statuses["generic-o8"] == "conflict"
    assert statuses["generic-o10"] == "pending"
    assert statuses["generic-o11"] == "conflict"
    assert statuses["generic-o12"] == "conflict"
    assert "generic-o5" not in statuses
    flags = {f["reason"] for d in one_by_one["deals"] for f in orjson.loads(d["flags"])}
    assert {"registration_velocity", "multi_partner_customer"} <= flags
    types = [h["event_type"] for h in one_by_one["history"]]
    assert {"deal.forecast_changed", "deal.reversed", "deal.won", "deal.lost"} <= set(types)

    with monkeypatch.context() as patch:
        no_fallback(patch)
        together, counts = await run(database_factory, kafka_bootstrap, topic_prefix, clock, together=True)
    assert counts == [DrainCounts(applied=16, failed=1), DrainCounts(applied=11), DrainCounts()]
    assert_same(together, one_by_one)


async def test_a_batch_written_by_copy_equals_the_same_deliveries_one_by_one(
    database_factory, kafka_bootstrap, topic_prefix, clock, monkeypatch
):
    """From ``COPY_FROM_ROWS`` rows on a batch writes deals and history by COPY, each payload encoded
    once for its history row and its envelope: every row and event is still what one by one writes."""
    one_by_one, _ = await run(database_factory, kafka_bootstrap, topic_prefix, clock, together=False)
    with monkeypatch.context() as patch:
        no_fallback(patch)
        patch.setattr(crm_batch.writes, "COPY_FROM_ROWS", 1)
        patch.setattr(deals_repo, "COPY_FROM_ROWS", 1)
        encoded: list[int] = []
        original = crm_batch.writes.payload_json

        def counted(payload: Any) -> bytes:
            encoded.append(1)
            return original(payload)

        patch.setattr(crm_batch.writes, "payload_json", counted)
        together, counts = await run(database_factory, kafka_bootstrap, topic_prefix, clock, together=True)
    assert counts == [DrainCounts(applied=16, failed=1), DrainCounts(applied=11), DrainCounts()]
    # The COPY path ran: once per history row the batches wrote (the others are the API's).
    assert len(encoded) == sum(1 for h in together["history"] if h["actor"].startswith("crm:")) > 0
    assert_same(together, one_by_one)


async def test_a_batch_that_was_not_prepared_for_falls_back_to_one_by_one(
    database_factory, kafka_bootstrap, topic_prefix, clock, monkeypatch
):
    one_by_one, _ = await run(database_factory, kafka_bootstrap, topic_prefix, clock, together=False)
    # Nothing is loaded for registrations: the first registration asks what was not loaded.
    monkeypatch.setattr(crm_sync, "registrations_ahead", lambda *_: [])
    fell_back, counts = await run(database_factory, kafka_bootstrap, topic_prefix, clock, together=True)
    assert counts == [DrainCounts(applied=16, failed=1), DrainCounts(applied=11), DrainCounts()]
    assert_same(fell_back, one_by_one)


async def test_a_batch_whose_writes_fail_is_rolled_back_and_applied_one_by_one(
    database_factory, kafka_bootstrap, topic_prefix, clock, monkeypatch
):
    one_by_one, _ = await run(database_factory, kafka_bootstrap, topic_prefix, clock, together=False)
    flush = crm_batch.flush

    async def written_then_failed(conn, state):  # type: ignore[no-untyped-def]
        await flush(conn, state)  # everything is written, then the savepoint is rolled back
        raise RuntimeError("the connection broke")

    monkeypatch.setattr(crm_batch, "flush", written_then_failed)
    fell_back, counts = await run(database_factory, kafka_bootstrap, topic_prefix, clock, together=True)
    assert counts == [DrainCounts(applied=16, failed=1), DrainCounts(applied=11), DrainCounts()]
    assert_same(fell_back, one_by_one)  # nothing written twice, no event published twice


async def test_a_crash_before_the_commit_leaves_the_batch_pending_and_it_applies_once_after(
    database_factory, kafka_bootstrap, topic_prefix, clock, monkeypatch
):
    one_by_one, _ = await run(database_factory, kafka_bootstrap, topic_prefix, clock, together=False)

    settings = RegistrationSettings(
        environment="test",
        database_url=database_factory.create(ALEMBIC_INI, prefix="reg"),
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_prefix=topic_prefix,
        velocity_min_count=3,
    )
    finish = crm_worker.SqlCrmInbox.finish

    async def crashed(self, outcomes):  # type: ignore[no-untyped-def]
        await finish(self, outcomes)  # the batch is written, outcomes and all; the process dies before COMMIT
        raise SystemExit("killed")

    async with app_client(create_app(settings, clock=clock)) as client:
        app = client._transport.app  # type: ignore[attr-defined]
        sync = app_container(app).crm_sync()
        await prepare(client, settings)
        await post_round(client, settings, first_round() + other_crms(settings)[:2])
        await fetch(
            settings,
            """INSERT INTO crm_inbox (source, delivery_id, payload)
               VALUES ('generic', 'broken', '{"changes": [{"record_id": "o99"}]}')""",
        )
        before = await snapshot(settings)
        with monkeypatch.context() as patch:
            patch.setattr(crm_worker.SqlCrmInbox, "finish", crashed)
            with pytest.raises(SystemExit):
                await drain_batch(app_container(app).runtime.uow_factory, sync, limit=1000)
        assert await snapshot(settings) == before  # nothing of the batch committed: all of it is pending
        assert {d["done"] for d in before["inbox"]} == {False}

        no_fallback(monkeypatch)
        assert await drain_batch(app_container(app).runtime.uow_factory, sync, limit=1000) == DrainCounts(
            applied=16, failed=1
        )
        await post_round(client, settings, second_round() + other_crms(settings)[2:])
        assert await drain_batch(app_container(app).runtime.uow_factory, sync, limit=1000) == DrainCounts(applied=11)
    assert_same(await snapshot(settings), one_by_one)  # applied exactly once, as if it never crashed
