"""Parsing the three CRM delivery formats into :class:`CrmChange` notifications.

Values arrive as strings (or null); a JSON float is refused, because amounts are never floats.
Each notification names its record, a delivery id to de-duplicate on, and a version: the CRM's
version number, or its last-modified time in microseconds since the epoch. A version is a
non-negative 64-bit integer and a timestamp lies between 1970 and 9999 (in UTC): anything else is
a malformed delivery (400), never stored. XML is parsed by defusedxml with DTDs forbidden, so no
entity is ever declared or expanded, whatever encoding the message declares.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as parse_xml

from ..application.crm_intake import MalformedDelivery as MalformedDelivery  # re-exported: raised here
from ..domain.crm import CrmChange

MAX_NOTIFICATIONS = 100
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
MAX_VERSION = 2**63 - 1  # what a bigint (and every reader of the inbox) holds
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_ID_LENGTH = 255
LATEST_MS = 253402300799999  # 9999-12-31T23:59:59.999Z in milliseconds


@dataclass(frozen=True)
class SalesforceDelivery:
    organization_id: str
    changes: list[CrmChange]


def version_of(value: Any, name: str) -> tuple[int, datetime | None]:
    """An integer version, or an ISO timestamp / epoch milliseconds as microseconds."""
    if isinstance(value, bool) or value is None:
        raise MalformedDelivery(f"{name} is missing")
    if isinstance(value, int):
        return _bounded(value, name), None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        digits = value.strip()
        return _bounded(int(digits) if len(digits) <= 19 else MAX_VERSION + 1, name), None
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            micros = _micros(moment)
        except (ValueError, OverflowError) as exc:
            raise MalformedDelivery(f"{name} {value!r} is neither a version number nor a timestamp") from exc
        if micros < 0:
            raise MalformedDelivery(f"{name} {value!r} is before 1970")
        return micros, moment
    raise MalformedDelivery(f"{name} must be an integer or an ISO timestamp")


def identifier(value: Any, name: str) -> str:
    """A record, notification or delivery id: 1 to 255 characters (an index holds it whole)."""
    text = str(value).strip() if value is not None else ""
    if not text or len(text) > MAX_ID_LENGTH:
        raise MalformedDelivery(f"{name} must be 1 to {MAX_ID_LENGTH} characters")
    return text


def _bounded(version: int, name: str) -> int:
    if not 0 <= version <= MAX_VERSION:
        raise MalformedDelivery(f"{name} must be a version number from 0 to {MAX_VERSION}")
    return version


def _micros(moment: datetime) -> int:
    """Microseconds since the epoch; OverflowError when the moment is not a year 1-9999 in UTC."""
    delta = moment.astimezone(UTC) - EPOCH
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def _text(value: Any, name: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        raise MalformedDelivery(f"{name}: numbers must be sent as strings (amounts are never floats)")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | str):
        return str(value)
    raise MalformedDelivery(f"{name}: expected a string")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_salesforce(body: bytes, version_field: str | None, now: datetime) -> SalesforceDelivery:
    """An outbound message (SOAP): up to 100 ``Notification``s, each one opportunity ``sObject``."""
    try:
        root = parse_xml(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise MalformedDelivery("DOCTYPE and ENTITY declarations are not accepted") from exc
    except (ET.ParseError, ValueError, LookupError) as exc:  # also an unknown or unsupported encoding
        raise MalformedDelivery(f"not well-formed XML: {exc}") from exc
    notifications = next((e for e in root.iter() if _local(e.tag) == "notifications"), None)
    if notifications is None:
        raise MalformedDelivery("no <notifications> element")
    org = next((e.text or "" for e in notifications if _local(e.tag) == "OrganizationId"), "").strip()
    items = [e for e in notifications if _local(e.tag) == "Notification"]
    if not items:
        raise MalformedDelivery("no <Notification> elements")
    if len(items) > MAX_NOTIFICATIONS:
        raise MalformedDelivery(f"at most {MAX_NOTIFICATIONS} notifications per message")
    changes = []
    for item in items:
        notification_id = next((e.text for e in item if _local(e.tag) == "Id"), None)
        sobject = next((e for e in item if _local(e.tag) == "sObject"), None)
        if not notification_id or sobject is None:
            raise MalformedDelivery("each Notification needs an Id and an sObject")
        fields: dict[str, str | None] = {
            _local(e.tag): None if e.get(XSI_NIL) == "true" else (e.text or "") for e in sobject
        }
        notification_id = identifier(notification_id, "Notification Id")
        record_id = fields.pop("Id", None)
        if not record_id:
            raise MalformedDelivery(f"notification {notification_id}: the sObject has no Id")
        record_id = identifier(record_id, f"notification {notification_id}: sObject Id")
        stamp = fields.get(version_field or "") or fields.get("SystemModstamp") or fields.get("LastModifiedDate")
        version, moment = version_of(stamp, f"notification {notification_id}: {version_field or 'SystemModstamp'}")
        changes.append(
            CrmChange(
                record_id=record_id,
                delivery_id=notification_id,
                version=version,
                occurred_at=moment or now,
                fields=fields,
            )
        )
    return SalesforceDelivery(org, changes)


SALESFORCE_ACK = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>'
    b'<notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound"><Ack>true</Ack>'
    b"</notificationsResponse></soapenv:Body></soapenv:Envelope>"
)


@dataclass(frozen=True)
class HubspotDelivery:
    portal_ids: set[str]
    changes: list[CrmChange]
    ignored: int


def parse_hubspot(body: bytes) -> HubspotDelivery:
    """A JSON array of events: ``deal.propertyChange`` (one property) or ``deal.creation`` with
    ``properties`` (a snapshot); ``eventId`` de-duplicates, ``occurredAt`` (ms) versions."""
    events = _json(body)
    if not isinstance(events, list) or not events:
        raise MalformedDelivery("expected a non-empty JSON array of events")
    if len(events) > MAX_NOTIFICATIONS:
        raise MalformedDelivery(f"at most {MAX_NOTIFICATIONS} events per request")
    changes, portals, ignored = [], set(), 0
    for index, event in enumerate(events):
        if not isinstance(event, dict):
            raise MalformedDelivery(f"event {index} is not an object")
        kind = str(event.get("subscriptionType", ""))
        if event.get("eventId") is None or event.get("objectId") is None or event.get("occurredAt") is None:
            raise MalformedDelivery(f"event {index} needs eventId, objectId and occurredAt")
        portals.add(str(event.get("portalId", "")))
        if not kind.startswith("deal."):
            ignored += 1
            continue
        occurred_ms = event["occurredAt"]
        if isinstance(occurred_ms, bool) or not isinstance(occurred_ms, int) or not 0 <= occurred_ms <= LATEST_MS:
            raise MalformedDelivery(f"event {index}: occurredAt must be milliseconds since the epoch (1970 to 9999)")
        fields: dict[str, str | None] = {}
        if isinstance(event.get("properties"), dict):
            fields.update({k: _text(v, f"event {index}: {k}") for k, v in event["properties"].items()})
        if event.get("propertyName"):
            name = str(event["propertyName"])
            fields[name] = _text(event.get("propertyValue"), f"event {index}: {name}")
        changes.append(
            CrmChange(
                record_id=identifier(event["objectId"], f"event {index}: objectId"),
                delivery_id=identifier(event["eventId"], f"event {index}: eventId"),
                version=occurred_ms * 1000,
                occurred_at=datetime.fromtimestamp(occurred_ms / 1000, tz=UTC),
                fields=fields,
            )
        )
    return HubspotDelivery(portals, changes, ignored)


@dataclass(frozen=True)
class GenericDelivery:
    delivery_id: str
    changes: list[CrmChange]


def parse_generic(body: bytes, now: datetime) -> list[CrmChange]:
    """``{"delivery_id": "...", "records": [{"record_id", "version" | "updated_at", "fields": {...}}]}``."""
    return parse_generic_delivery(body, now).changes


def parse_generic_delivery(body: bytes, now: datetime) -> GenericDelivery:
    """The generic format with its delivery id (what a replay of the whole request repeats)."""
    data = _json(body)
    if not isinstance(data, dict) or not isinstance(data.get("records"), list) or not data["records"]:
        raise MalformedDelivery('expected {"delivery_id": ..., "records": [...]}')
    delivery_id = data.get("delivery_id")
    if not isinstance(delivery_id, str) or not delivery_id.strip():
        raise MalformedDelivery("delivery_id is required")
    delivery_id = identifier(delivery_id, "delivery_id")
    if len(data["records"]) > MAX_NOTIFICATIONS:
        raise MalformedDelivery(f"at most {MAX_NOTIFICATIONS} records per delivery")
    changes = []
    for index, record in enumerate(data["records"]):
        if not isinstance(record, dict) or not record.get("record_id") or not isinstance(record.get("fields"), dict):
            raise MalformedDelivery(f"record {index} needs record_id and fields")
        stamp = record.get("version", record.get("updated_at"))
        version, moment = version_of(stamp, f"record {index}: version or updated_at")
        if moment is None and record.get("updated_at"):
            moment = version_of(record["updated_at"], f"record {index}: updated_at")[1]
        changes.append(
            CrmChange(
                record_id=identifier(record["record_id"], f"record {index}: record_id"),
                delivery_id=(
                    identifier(record["event_id"], f"record {index}: event_id")
                    if record.get("event_id")
                    else f"{delivery_id}/{index}"
                ),
                version=version,
                occurred_at=moment or now,
                fields={k: _text(v, f"record {index}: {k}") for k, v in record["fields"].items()},
            )
        )
    return GenericDelivery(delivery_id, changes)


def message_id(notification_ids: list[str]) -> str:
    """One id for a message of several notifications: the same notifications give the same id."""
    if len(notification_ids) == 1:
        return notification_ids[0]
    digest = hashlib.sha256("\n".join(notification_ids).encode()).hexdigest()[:24]
    return f"{notification_ids[0]}+{len(notification_ids) - 1}:{digest}"


def _json(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise MalformedDelivery("the body is not valid JSON") from exc
