"""Signature schemes and delivery parsing (pure functions, no HTTP)."""

import base64
import hashlib
import hmac

import pytest
from registration.adapters import crm_formats
from registration.adapters.signatures import (
    SignatureError,
    hubspot_uri,
    sign_hubspot_v3,
    sign_timestamped,
    verify_hubspot_v3,
    verify_timestamped,
)

from .builders import DAY

NOW = 1_780_000_000
OLD, NEW = b"old-secret", b"new-secret"
BODY = b'{"delivery_id":"x","records":[]}'


def test_timestamped_signature_is_hmac_sha256_hex_over_t_dot_body():
    header = sign_timestamped(NEW, BODY, NOW)
    expected = hmac.new(NEW, f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert header == f"t={NOW},v1={expected}"
    assert verify_timestamped(header, BODY, [NEW, OLD], now=NOW + 299, tolerance=300) == NOW


def test_both_rotation_secrets_are_accepted_and_any_other_is_not():
    assert verify_timestamped(sign_timestamped(OLD, BODY, NOW), BODY, [NEW, OLD], now=NOW, tolerance=300)
    with pytest.raises(SignatureError, match="does not match"):
        verify_timestamped(sign_timestamped(b"forged", BODY, NOW), BODY, [NEW, OLD], now=NOW, tolerance=300)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda h, b: (h, b[:-1] + b"!"),  # one byte of the body
        lambda h, b: (h.replace(f"t={NOW}", f"t={NOW + 1}"), b),  # the timestamp
        lambda h, b: (None, b),
        lambda h, b: ("v1=abc", b),
        lambda h, b: ("t=abc,v1=def", b),
    ],
)
def test_any_change_to_body_or_header_is_refused(mutate):
    header, body = mutate(sign_timestamped(NEW, BODY, NOW), BODY)
    with pytest.raises(SignatureError):
        verify_timestamped(header, body, [NEW], now=NOW, tolerance=300)


def test_a_stale_or_future_timestamp_is_refused_even_with_a_good_signature():
    header = sign_timestamped(NEW, BODY, NOW)
    for now in (NOW + 301, NOW - 301):
        with pytest.raises(SignatureError, match="300 s"):
            verify_timestamped(header, BODY, [NEW], now=now, tolerance=300)


def test_hubspot_v3_is_base64_hmac_over_method_uri_body_timestamp():
    uri = "https://api.example/webhooks/hubspot?portal=1"
    signature = sign_hubspot_v3(NEW, "post", uri, BODY, NOW * 1000)
    message = b"POST" + uri.encode() + BODY + str(NOW * 1000).encode()
    assert signature == base64.b64encode(hmac.new(NEW, message, hashlib.sha256).digest()).decode()
    ok = verify_hubspot_v3(
        signature, str(NOW * 1000), method="POST", uri=uri, body=BODY, secrets=[OLD, NEW], now=NOW + 200, tolerance=300
    )
    assert ok == NOW * 1000
    with pytest.raises(SignatureError, match="300 s"):
        verify_hubspot_v3(
            signature, str(NOW * 1000), method="POST", uri=uri, body=BODY, secrets=[NEW], now=NOW + 301, tolerance=300
        )
    with pytest.raises(SignatureError, match="does not match"):
        verify_hubspot_v3(
            signature, str(NOW * 1000), method="POST", uri=uri, body=BODY + b" ", secrets=[NEW], now=NOW, tolerance=300
        )
    with pytest.raises(SignatureError, match="does not match"):
        verify_hubspot_v3(
            signature, str(NOW * 1000), method="POST", uri=uri + "&x", body=BODY, secrets=[NEW], now=NOW, tolerance=300
        )


def test_hubspot_uri_decodes_the_escapes_hubspot_decodes():
    assert hubspot_uri("https://h/p?a=%3A%2F%3f%40") == "https://h/p?a=:/?@"


SOAP = """<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   <OrganizationId>00D000000000001</OrganizationId>
   <ActionId>04k000000000001</ActionId>
   <Notification>
    <Id>04l000000000001</Id>
    <sObject xsi:type="sf:Opportunity" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>006000000000001</sf:Id>
     <sf:Amount>1000.00</sf:Amount>
     <sf:Loss_Reason__c xsi:nil="true"/>
     <sf:StageName>Qualification</sf:StageName>
     <sf:SystemModstamp>2026-03-02T10:00:00.000Z</sf:SystemModstamp>
    </sObject>
   </Notification>
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>"""


def test_salesforce_outbound_messages_parse_into_versioned_changes():
    from datetime import UTC, datetime

    delivery = crm_formats.parse_salesforce(SOAP.encode(), "SystemModstamp", datetime(2026, 3, 2, tzinfo=UTC))
    assert delivery.organization_id == "00D000000000001"
    [change] = delivery.changes
    assert (change.record_id, change.delivery_id) == ("006000000000001", "04l000000000001")
    assert change.fields["Amount"] == "1000.00"
    assert change.fields["Loss_Reason__c"] is None
    assert change.occurred_at == datetime(2026, 3, 2, 10, tzinfo=UTC)
    assert change.version == int(datetime(2026, 3, 2, 10, tzinfo=UTC).timestamp()) * 1_000_000


def test_salesforce_refuses_doctype_and_more_than_100_notifications():
    from datetime import UTC, datetime

    with pytest.raises(crm_formats.MalformedDelivery, match="DOCTYPE"):
        crm_formats.parse_salesforce(b'<!DOCTYPE x [<!ENTITY a "b">]>' + SOAP.encode(), None, datetime.now(UTC))
    start = SOAP.index("<Notification>")
    end = SOAP.index("</Notification>") + len("</Notification>")
    many = SOAP[:start] + SOAP[start:end] * 101 + SOAP[end:]
    with pytest.raises(crm_formats.MalformedDelivery, match="100"):
        crm_formats.parse_salesforce(many.encode(), None, datetime.now(UTC))


def test_hubspot_property_changes_and_snapshots_parse():
    body = (
        b'[{"eventId": 1, "subscriptionType": "deal.propertyChange", "portalId": 99, "objectId": 5, '
        b'"occurredAt": 1780000000000, "propertyName": "dealstage", "propertyValue": "closedwon"},'
        b'{"eventId": 2, "subscriptionType": "contact.creation", "portalId": 99, "objectId": 6, "occurredAt": 1}]'
    )
    delivery = crm_formats.parse_hubspot(body)
    assert delivery.ignored == 1
    [change] = delivery.changes
    assert (change.record_id, change.delivery_id, change.fields) == ("5", "1", {"dealstage": "closedwon"})
    assert change.version == 1780000000000 * 1000


def test_generic_deliveries_refuse_float_amounts():
    body = b'{"delivery_id": "d", "records": [{"record_id": "r", "version": 1, "fields": {"amount": 10.5}}]}'
    with pytest.raises(crm_formats.MalformedDelivery, match="never floats"):
        crm_formats.parse_generic(body, DAY)


def test_generic_deliveries_version_by_number_or_timestamp():
    from datetime import UTC, datetime

    body = (
        b'{"delivery_id": "d", "records": ['
        b'{"record_id": "r", "version": 7, "updated_at": "2026-03-02T10:00:00Z", "fields": {"amount": "10"}},'
        b'{"record_id": "s", "updated_at": "2026-03-02T10:00:00Z", "fields": {}}]}'
    )
    first, second = crm_formats.parse_generic(body, datetime(2026, 1, 1, tzinfo=UTC))
    assert (first.version, first.delivery_id, first.occurred_at.hour) == (7, "d/0", 10)
    assert second.version == int(datetime(2026, 3, 2, 10, tzinfo=UTC).timestamp()) * 1_000_000


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0" encoding="Shift_JIS"?><a/>',  # a ValueError from expat: was a 500
        b'<?xml version="1.0" encoding="bogus"?><a/>',
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>'.encode("utf-16"),
        b'<?xml version="1.0"?><!DOCTYPE a SYSTEM "http://example.invalid/a.dtd"><a/>',
    ],
)
def test_salesforce_xml_that_is_odd_or_declares_a_dtd_is_malformed(body):
    with pytest.raises(crm_formats.MalformedDelivery):
        crm_formats.parse_salesforce(body, None, DAY)


@pytest.mark.parametrize("stamp", ["²", "9" * 400, 2**63, -1, "9999-12-31T23:59:59-23:59", "1969-12-31T23:59:59Z"])
def test_versions_and_timestamps_no_one_can_hold_are_malformed(stamp):
    with pytest.raises(crm_formats.MalformedDelivery, match="record 0"):
        crm_formats.version_of(stamp, "record 0: version")


def test_versions_and_timestamps_at_the_bounds_are_read():
    assert crm_formats.version_of(2**63 - 1, "v") == (2**63 - 1, None)
    assert crm_formats.version_of("0", "v") == (0, None)
    assert crm_formats.version_of("9999-12-31T23:59:59Z", "v")[0] == 253402300799 * 1_000_000
