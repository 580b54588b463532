"""The three CRM webhooks: only signed, fresh, unaltered deliveries change anything, and only once."""

from __future__ import annotations

import time

import pytest
from registration.entrypoints.crm_worker import DrainCounts

from .crm_clients import CRMS, Crm, Opportunity, SalesforceCrm
from .helpers import deliver, drain, enroll, fetch, manager, outbox

SOURCES = sorted(CRMS)


async def state(settings) -> tuple:
    """Everything a delivery could change: deals, CRM records, deliveries, the inbox, outbox."""
    deals = await fetch(settings, "SELECT deal_id, status, stage, expected_amount FROM deals ORDER BY deal_id")
    records = await fetch(settings, "SELECT source, record_id, fields FROM crm_records ORDER BY 1, 2")
    deliveries = await fetch(settings, "SELECT count(*) AS n FROM webhook_deliveries")
    inbox = await fetch(settings, "SELECT count(*) AS n FROM crm_inbox")
    return (
        [tuple(r) for r in deals],
        [tuple(r) for r in records],
        deliveries[0]["n"],
        inbox[0]["n"],
        len(await outbox(settings)),
    )


@pytest.fixture
def crm_for(registration_settings):
    def make(source: str, secret: bytes | None = None) -> Crm:
        return CRMS[source](registration_settings, secret)

    return make


@pytest.mark.parametrize("source", SOURCES)
async def test_a_signed_delivery_registers_the_deal(registration_client, registration_settings, crm_for, source):
    await enroll(registration_client, registration_settings, "p1")
    crm = crm_for(source)
    body = crm.body("dl-1", [Opportunity("opp-1001", 1, "qualified")])
    response = await registration_client.post(crm.path, content=body, headers=crm.headers(body))
    assert response.status_code == 202, response.text
    assert await drain(registration_client) == DrainCounts(applied=1)
    if source == "salesforce":
        assert b"<Ack>true</Ack>" in response.content
    deal = (
        await registration_client.get(f"/deals/{crm.deal_id('opp-1001')}", headers=manager(registration_settings))
    ).json()
    assert (deal["status"], deal["stage"], deal["partner_id"]) == ("approved", "qualified", "p1")
    assert [h["actor"] for h in deal["history"]] == [f"crm:{source}"] * 3


@pytest.mark.parametrize("source", SOURCES)
async def test_a_one_byte_change_to_the_body_is_rejected_and_changes_nothing(
    registration_client, registration_settings, crm_for, source
):
    await enroll(registration_client, registration_settings, "p1")
    crm = crm_for(source)
    body = crm.body("dl-1", [Opportunity("opp-1001", 1, "qualified", amount="1000.00")])
    headers = crm.headers(body)
    tampered = body.replace(b"1000.00", b"9000.00", 1)
    assert len(tampered) == len(body)
    assert sum(a != b for a, b in zip(body, tampered, strict=True)) == 1
    before = await state(registration_settings)
    response = await registration_client.post(crm.path, content=tampered, headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert await state(registration_settings) == before


@pytest.mark.parametrize("source", SOURCES)
async def test_a_stale_timestamp_is_rejected_even_when_signed_correctly(
    registration_client, registration_settings, crm_for, source
):
    await enroll(registration_client, registration_settings, "p1")
    crm = crm_for(source)
    body = crm.body("dl-1", [Opportunity("opp-1001", 1, "qualified")])
    before = await state(registration_settings)
    for skew in (-301, 301):
        response = await registration_client.post(crm.path, content=body, headers=crm.headers(body, time.time() + skew))
        assert response.status_code == 401
        assert "300 s" in response.json()["detail"]
    assert await state(registration_settings) == before
    ok = await registration_client.post(crm.path, content=body, headers=crm.headers(body, time.time() - 250))
    assert ok.status_code == 202


@pytest.mark.parametrize("source", SOURCES)
async def test_a_replayed_delivery_changes_nothing(registration_client, registration_settings, crm_for, source):
    await enroll(registration_client, registration_settings, "p1")
    crm = crm_for(source)
    body = crm.body("dl-1", [Opportunity("opp-1001", 1, "qualified")])
    headers = crm.headers(body)
    first = await deliver(registration_client, crm.path, body, headers)
    assert first.status_code == 202
    after_first = await state(registration_settings)
    replay = await deliver(registration_client, crm.path, body, headers)
    assert replay.status_code == 202
    if source != "salesforce":
        assert (first.json()["duplicate"], replay.json()["duplicate"]) == (False, True)
        assert replay.json()["delivery_id"] == first.json()["delivery_id"]
    assert await state(registration_settings) == after_first


@pytest.mark.parametrize("source", SOURCES)
async def test_a_forged_request_changes_nothing(registration_client, registration_settings, crm_for, source):
    await enroll(registration_client, registration_settings, "p1")
    forger = crm_for(source, secret=b"guessed-secret")
    body = forger.body("dl-1", [Opportunity("opp-1001", 1, "won")])
    before = await state(registration_settings)
    forged = await registration_client.post(forger.path, content=body, headers=forger.headers(body))
    unsigned = await registration_client.post(forger.path, content=body, headers={"Content-Type": "application/json"})
    assert (forged.status_code, unsigned.status_code) == (401, 401)
    assert await state(registration_settings) == before


async def test_both_secrets_are_active_during_a_rotation(database_factory, kafka_bootstrap, topic_prefix, clock):
    from registration.config import RegistrationSettings
    from registration.entrypoints.api import create_app
    from servicekit.testing.client import app_client

    from ..conftest import ALEMBIC_INI
    from .crm_clients import GenericCrm

    settings = RegistrationSettings(
        environment="test",
        database_url=database_factory.create(ALEMBIC_INI, prefix="reg"),
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_prefix=topic_prefix,
        generic_secret="new-secret-0123456789",
        generic_secret_previous="old-secret-0123456789",
    )
    async with app_client(create_app(settings, clock=clock)) as client:
        await enroll(client, settings, "p1")
        for index, secret in enumerate((b"old-secret-0123456789", b"new-secret-0123456789")):
            crm = GenericCrm(settings, secret)
            body = crm.body(f"dl-{index}", [Opportunity(f"opp-{index}", 1, "open", domain=f"c{index}.example")])
            assert (await client.post(crm.path, content=body, headers=crm.headers(body))).status_code == 202
        retired = GenericCrm(settings, b"dev-only-insecure-webhook-secret")
        body = retired.body("dl-9", [Opportunity("opp-9", 1, "open")])
        assert (await client.post(retired.path, content=body, headers=retired.headers(body))).status_code == 401


async def test_salesforce_checks_the_organization(registration_client, registration_settings):
    await enroll(registration_client, registration_settings, "p1")
    crm = SalesforceCrm(registration_settings)
    crm.org_id = "00D999999999999"
    body = crm.body("dl-1", [Opportunity("opp-1001", 1, "qualified")])
    before = await state(registration_settings)
    response = await registration_client.post(crm.path, content=body, headers=crm.headers(body))
    assert response.status_code == 403
    assert await state(registration_settings) == before


async def test_malformed_deliveries_and_unmappable_records(registration_client, registration_settings, crm_for):
    await enroll(registration_client, registration_settings, "p1")
    crm = crm_for("generic")
    garbage = b'{"records": "nope"}'
    assert (await registration_client.post(crm.path, content=garbage, headers=crm.headers(garbage))).status_code == 400
    body = crm.body("dl-1", [Opportunity("opp-1", 1, "open", partner_id="nobody")])
    response = await deliver(registration_client, crm.path, body, crm.headers(body))
    assert response.status_code == 202
    status = await registration_client.get("/crm/deliveries/generic/dl-1", headers=manager(registration_settings))
    assert status.json()["status"] == "applied"
    [outcome] = status.json()["outcome"]["outcomes"]
    assert outcome["result"] == "rejected"
    assert "nobody" in outcome["detail"]
    record = await registration_client.get("/crm/records/generic/opp-1", headers=manager(registration_settings))
    assert record.json()["outcome"].startswith("rejected")
    # Once the partner exists, the next delivery of the record catches up from the merged fields.
    await enroll(registration_client, registration_settings, "nobody")
    again = crm.body("dl-2", [Opportunity("opp-1", 2, "qualified", partner_id="nobody")])
    await deliver(registration_client, crm.path, again, crm.headers(again))
    caught_up = await registration_client.get("/crm/deliveries/generic/dl-2", headers=manager(registration_settings))
    assert caught_up.json()["outcome"]["outcomes"][0]["result"] == "applied"
    mapping = await registration_client.get("/crm/mapping", headers=manager(registration_settings))
    assert mapping.json()["salesforce"]["stages"]["Closed Won"] == "won"


async def test_hubspot_property_changes_build_the_record_until_it_can_register(
    registration_client, registration_settings
):
    import orjson

    from .crm_clients import HubspotCrm

    await enroll(registration_client, registration_settings, "p1")
    crm = HubspotCrm(registration_settings)
    base = 1_772_442_000_000  # 2026-03-02T09:00Z in ms
    props = [
        ("partner_id", "p1"),
        ("customer_name", "Globex"),
        ("product_line", "cloud"),
        ("amount", "500"),
        ("deal_currency_code", "USD"),
        ("closedate", "2026-06-30"),
        ("dealstage", "qualifiedtobuy"),
    ]

    def change(event_id: int, name: str, value: str, offset: int) -> dict:
        return {
            "eventId": event_id,
            "subscriptionType": "deal.propertyChange",
            "portalId": 1,
            "objectId": 55,
            "occurredAt": base + offset,
            "propertyName": name,
            "propertyValue": value,
        }

    first = orjson.dumps([change(i, n, v, i) for i, (n, v) in enumerate(props[:3])])
    waiting = await deliver(registration_client, crm.path, first, crm.headers(first))
    status = await registration_client.get(
        f"/crm/deliveries/hubspot/{waiting.json()['delivery_id']}", headers=manager(registration_settings)
    )
    assert {o["result"] for o in status.json()["outcome"]["outcomes"]} == {"waiting"}
    assert (
        await registration_client.get("/deals/hubspot-55", headers=manager(registration_settings))
    ).status_code == 404
    # The rest arrives; an older amount sent late never overwrites the newer one.
    rest = orjson.dumps(
        [change(i, n, v, i) for i, (n, v) in enumerate(props) if i >= 3] + [change(99, "amount", "1", -5)]
    )
    done = await deliver(registration_client, crm.path, rest, crm.headers(rest))
    assert done.status_code == 202, done.text
    deal = (await registration_client.get("/deals/hubspot-55", headers=manager(registration_settings))).json()
    assert (deal["stage"], deal["expected_amount"]["amount"]) == ("qualified", "500")
