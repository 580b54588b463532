"""Webhook edges (issue 13, defects 3 and 6): size cap before reading, hardened XML, no 5xx from
odd timestamps or versions. Every case runs through the fast path (WebhookEdge) and the plain
FastAPI routes, which must answer alike; nothing refused is stored."""

from __future__ import annotations

import os
import time

import orjson
import pytest
from registration.adapters.signatures import sign_hubspot_v3, sign_timestamped
from registration.config import RegistrationSettings
from registration.entrypoints.api import create_app

from .crm_clients import GenericCrm, HubspotCrm, Opportunity, SalesforceCrm
from .helpers import fetch
from .test_webhook_edge import client_for

LIMIT = 64 * 1024


@pytest.fixture
def settings(registration_settings: RegistrationSettings) -> RegistrationSettings:
    return registration_settings.model_copy(update={"webhook_max_bytes": LIMIT})


async def stored(settings: RegistrationSettings) -> int:
    return len(await fetch(settings, "SELECT id FROM crm_inbox"))


def assert_problem(response, status: int, *words: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    for word in words:
        assert word in response.json()["detail"]


# ---------------------------------------------------------------------------------------------
# Size: refused before it is read whole


async def call(app, body_chunks: int, *, declared: int | None) -> tuple[int, int]:
    """Drive the ASGI app directly; returns (status, chunks of 16 KiB the app read)."""
    read = 0
    statuses: list[int] = []
    headers = [(b"content-type", b"application/json")]
    if declared is not None:
        headers.append((b"content-length", str(declared).encode()))

    async def receive():
        nonlocal read
        read += 1
        return {"type": "http.request", "body": b"x" * 16384, "more_body": read < body_chunks}

    async def send(message):
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/webhooks/generic",
        "raw_path": b"/webhooks/generic",
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "server": ("test", 80),
        "client": ("127.0.0.1", 1),
    }
    await app(scope, receive, send)
    return statuses[0], read


@pytest.mark.parametrize("edge", [True, False])
async def test_a_32_mib_unsigned_body_is_refused_unread_or_read_only_to_the_limit(settings, edge):
    app = create_app(settings)
    if not edge:
        app.user_middleware[:] = [m for m in app.user_middleware if m.cls.__name__ != "WebhookEdge"]
    size = 32 * 1024 * 1024
    assert await call(app, size // 16384, declared=size) == (413, 0)  # declared: not one byte read
    status, read = await call(app, size // 16384, declared=None)  # chunked: read up to the limit
    assert status == 413
    assert read == LIMIT // 16384 + 1


@pytest.mark.parametrize("edge", [True, False])
async def test_a_body_over_the_limit_is_413_problem_json_and_nothing_is_stored(settings, clock, edge):
    crm = GenericCrm(settings)
    big = crm.body("dl-big", [Opportunity(f"opp-{i}", 1, "open", customer="x" * 1000) for i in range(80)])
    assert len(big) > LIMIT
    async with client_for(settings, clock, edge=edge) as client:
        response = await client.post(crm.path, content=big, headers=crm.headers(big))
        assert_problem(response, 413, str(LIMIT))
        assert response.json()["max_bytes"] == LIMIT
        small = crm.body("dl-small", [Opportunity("opp-1", 1, "open")])
        assert (await client.post(crm.path, content=small, headers=crm.headers(small))).status_code == 202
    assert await stored(settings) == 1


# ---------------------------------------------------------------------------------------------
# Salesforce XML: no DTD, whatever the encoding

ENTITY_MESSAGE = """<?xml version="1.0" encoding="{encoding}"?>
<!DOCTYPE soapenv:Envelope [<!ENTITY pwn "EXPANDED-ENTITY">]>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>
<notifications xmlns="http://soap.sforce.com/2005/09/outbound"><OrganizationId>{org}</OrganizationId>
<Notification><Id>n-1</Id><sObject xmlns:sf="urn:sobject.enterprise.soap.sforce.com"><sf:Id>opp-1</sf:Id>
<sf:Customer_Name__c>&pwn;</sf:Customer_Name__c><sf:SystemModstamp>2026-03-02T09:00:00.000Z</sf:SystemModstamp>
</sObject></Notification></notifications></soapenv:Body></soapenv:Envelope>"""


@pytest.mark.parametrize("edge", [True, False])
@pytest.mark.parametrize("encoding", ["UTF-16", "UTF-16LE", "UTF-8"])
async def test_an_xml_entity_is_refused_whatever_the_encoding(settings, clock, edge, encoding):
    crm = SalesforceCrm(settings)
    text = ENTITY_MESSAGE.format(encoding=encoding, org=settings.salesforce_org_id)
    body = text.encode("utf-16" if encoding == "UTF-16" else encoding.lower())
    async with client_for(settings, clock, edge=edge) as client:
        response = await client.post(crm.path, content=body, headers=crm.headers(body))
    assert_problem(response, 400, "DOCTYPE")
    assert await stored(settings) == 0


# ---------------------------------------------------------------------------------------------
# Timestamps in the signature headers: 401, never 5xx

# Header bytes are read as latin-1: b"\xb2" is "²", which str.isdigit() takes for a digit.
BAD_TIMESTAMPS = [b"\xb2", b"17\xb900", "\u0661\u0667\u0660\u0660".encode(), b"9" * 400, b"1" * 5000, b"-5", b""]


@pytest.mark.parametrize("edge", [True, False])
async def test_odd_signature_timestamps_are_401_with_a_challenge(settings, clock, edge):
    generic, hubspot = GenericCrm(settings), HubspotCrm(settings)
    body = generic.body("dl-1", [Opportunity("opp-1", 1, "open")])
    async with client_for(settings, clock, edge=edge) as client:
        for stamp in BAD_TIMESTAMPS:
            header = b"t=" + stamp + b",v1=" + b"0" * 64
            response = await client.post(generic.path, content=body, headers={"X-Signature": header})
            assert_problem(response, 401, "X-Signature")
            assert response.headers["www-authenticate"] == 'HMAC-SHA256 header="X-Signature"'
            response = await client.post(
                hubspot.path,
                content=body,
                headers={"X-HubSpot-Signature-v3": b"AAAA", "X-HubSpot-Request-Timestamp": stamp},
            )
            assert response.status_code == 401, (stamp, response.text)
            assert response.headers["www-authenticate"] == 'HMAC-SHA256 header="X-HubSpot-Signature-v3"'
    assert await stored(settings) == 0


# ---------------------------------------------------------------------------------------------
# Signed bodies with versions and times no one can hold: 400 naming the field, nothing stored


ODD_GENERIC = [
    (b'{"delivery_id":"d","records":[{"record_id":"r","version":"\xc2\xb2","fields":{}}]}', "version"),
    (b'{"delivery_id":"d","records":[{"record_id":"r","version":"' + b"9" * 400 + b'","fields":{}}]}', "version"),
    (b'{"delivery_id":"d","records":[{"record_id":"r","version":9223372036854775808,"fields":{}}]}', "version"),
    (b'{"delivery_id":"d","records":[{"record_id":"r","version":-1,"fields":{}}]}', "version"),
    (
        b'{"delivery_id":"d","records":[{"record_id":"r","updated_at":"9999-12-31T23:59:59-23:59","fields":{}}]}',
        "updated_at",
    ),
    (
        b'{"delivery_id":"d","records":[{"record_id":"r","updated_at":"0001-01-01T00:00:00+23:59","fields":{}}]}',
        "updated_at",
    ),
]


@pytest.mark.parametrize("edge", [True, False])
async def test_signed_generic_bodies_with_impossible_versions_are_400_naming_the_field(settings, clock, edge):
    async with client_for(settings, clock, edge=edge) as client:
        for body, field in ODD_GENERIC:
            headers = {"X-Signature": sign_timestamped(settings.webhook_secrets("generic")[0], body, int(time.time()))}
            response = await client.post("/webhooks/generic", content=body, headers=headers)
            assert_problem(response, 400, field)
    assert await stored(settings) == 0


@pytest.mark.parametrize("edge", [True, False])
@pytest.mark.parametrize("occurred_at", [-(10**18), 10**18, -1, True, "1700000000000"])
async def test_signed_hubspot_events_with_impossible_times_are_400_naming_the_field(settings, clock, edge, occurred_at):
    event = {"eventId": 1, "objectId": 2, "portalId": 4242, "subscriptionType": "deal.creation"}
    body = orjson.dumps([{**event, "occurredAt": occurred_at, "properties": {"dealstage": "x"}}])
    ms = int(time.time() * 1000)
    signature = sign_hubspot_v3(
        settings.webhook_secrets("hubspot")[0], "POST", "http://test/webhooks/hubspot", body, ms
    )
    headers = {"X-HubSpot-Signature-v3": signature, "X-HubSpot-Request-Timestamp": str(ms)}
    async with client_for(settings, clock, edge=edge) as client:
        response = await client.post("/webhooks/hubspot", content=body, headers=headers)
    assert_problem(response, 400, "occurredAt")
    assert await stored(settings) == 0


@pytest.mark.parametrize("edge", [True, False])
async def test_a_nul_in_a_signed_delivery_is_422_naming_the_field(settings, clock, edge):
    crm = GenericCrm(settings)
    body = crm.body("dl-nul", [Opportunity("opp-1", 1, "open", customer="Glo\u0000bex")])
    async with client_for(settings, clock, edge=edge) as client:
        response = await client.post(crm.path, content=body, headers=crm.headers(body))
    assert_problem(response, 422, "body.records.0.fields.customer_name")
    assert await stored(settings) == 0


LONG = os.urandom(4000).hex()  # incompressible: a btree index row holds at most ~2700 bytes


@pytest.mark.parametrize("edge", [True, False])
@pytest.mark.parametrize(
    ("record", "field"),
    [
        ({"delivery_id": LONG, "records": [{"record_id": "r", "version": 1, "fields": {}}]}, "delivery_id"),
        ({"delivery_id": "d", "records": [{"record_id": LONG, "version": 1, "fields": {}}]}, "record_id"),
        (
            {"delivery_id": "d", "records": [{"record_id": "r", "event_id": LONG, "version": 1, "fields": {}}]},
            "event_id",
        ),
    ],
)
async def test_ids_no_index_can_hold_are_400_naming_the_field(settings, clock, edge, record, field):
    body = orjson.dumps(record)
    headers = {"X-Signature": sign_timestamped(settings.webhook_secrets("generic")[0], body, int(time.time()))}
    async with client_for(settings, clock, edge=edge) as client:
        response = await client.post("/webhooks/generic", content=body, headers=headers)
    assert_problem(response, 400, field, "255")
    assert await stored(settings) == 0
