"""Test doubles of the three CRMs: they build deliveries in each format and sign them."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

import orjson
from registration.adapters.signatures import sign_hubspot_v3, sign_timestamped
from registration.config import RegistrationSettings


@dataclass(frozen=True)
class Opportunity:
    """One version of a CRM opportunity, in canonical terms."""

    record_id: str
    version: int
    stage: str
    amount: str = "1000.00"
    partner_id: str = "p1"
    customer: str = "Globex Inc"
    domain: str = "globex.example"
    close_date: str = "2026-06-30"
    created: str = "2026-03-02"


def _moment(version: int) -> datetime:
    return datetime(2026, 3, 2, 9, 0, tzinfo=UTC).replace(minute=version % 60, hour=9 + version // 60)


class Crm:
    source: str
    path: str
    stages: dict[str, str]

    def __init__(self, settings: RegistrationSettings, secret: bytes | None = None) -> None:
        self.settings = settings
        self.secret = secret or settings.webhook_secrets(self.source)[0]

    def deal_id(self, record_id: str) -> str:
        """The local deal id of a CRM record."""
        return f"{self.source}-{self.record_key(record_id)}"

    def record_key(self, record_id: str) -> str:
        return record_id.split("-")[-1] if self.source == "hubspot" else record_id

    def body(self, delivery_id: str, opportunities: list[Opportunity]) -> bytes:
        raise NotImplementedError

    def headers(self, body: bytes, timestamp: float | None = None) -> dict[str, str]:
        raise NotImplementedError


class GenericCrm(Crm):
    source, path = "generic", "/webhooks/generic"
    stages = {s: s for s in ("open", "qualified", "proposal", "negotiation", "won", "lost", "cancelled")}

    def body(self, delivery_id: str, opportunities: list[Opportunity]) -> bytes:
        records = [
            {
                "record_id": o.record_id,
                "version": o.version,
                "updated_at": _moment(o.version).isoformat(),
                "fields": {
                    "partner_id": o.partner_id,
                    "customer_name": o.customer,
                    "customer_domain": o.domain,
                    "product_line": "cloud",
                    "amount": o.amount,
                    "currency": "USD",
                    "close_date": o.close_date,
                    "stage": self.stages[o.stage],
                    "created_date": o.created,
                },
            }
            for o in opportunities
        ]
        return orjson.dumps({"delivery_id": delivery_id, "records": records})

    def headers(self, body: bytes, timestamp: float | None = None) -> dict[str, str]:
        return {
            "X-Signature": sign_timestamped(self.secret, body, int(timestamp or time.time())),
            "Content-Type": "application/json",
        }


class HubspotCrm(Crm):
    source, path = "hubspot", "/webhooks/hubspot"
    stages = {
        "open": "appointmentscheduled",
        "qualified": "qualifiedtobuy",
        "proposal": "presentationscheduled",
        "negotiation": "contractsent",
        "won": "closedwon",
        "lost": "closedlost",
    }

    def body(self, delivery_id: str, opportunities: list[Opportunity]) -> bytes:
        events: list[dict[str, Any]] = []
        for index, o in enumerate(opportunities):
            events.append(
                {
                    "eventId": int(f"{abs(hash(delivery_id)) % 10**9}{index:03d}"),
                    "subscriptionId": 7,
                    "portalId": 4242,
                    "appId": 1,
                    "occurredAt": int(_moment(o.version).timestamp() * 1000),
                    "subscriptionType": "deal.creation",
                    "attemptNumber": 0,
                    "objectId": int(o.record_id.split("-")[-1]),
                    "changeSource": "CRM",
                    "properties": {
                        "partner_id": o.partner_id,
                        "customer_name": o.customer,
                        "customer_domain": o.domain,
                        "product_line": "cloud",
                        "amount": o.amount,
                        "deal_currency_code": "USD",
                        "closedate": o.close_date,
                        "dealstage": self.stages[o.stage],
                        "createdate": o.created,
                    },
                }
            )
        return orjson.dumps(events)

    def headers(self, body: bytes, timestamp: float | None = None) -> dict[str, str]:
        ms = int((timestamp or time.time()) * 1000)
        signature = sign_hubspot_v3(self.secret, "POST", "http://test/webhooks/hubspot", body, ms)
        return {
            "X-HubSpot-Signature-v3": signature,
            "X-HubSpot-Request-Timestamp": str(ms),
            "Content-Type": "application/json",
        }


class SalesforceCrm(Crm):
    source, path = "salesforce", "/webhooks/salesforce"
    stages = {
        "open": "Prospecting",
        "qualified": "Qualification",
        "proposal": "Proposal/Price Quote",
        "negotiation": "Negotiation/Review",
        "won": "Closed Won",
        "lost": "Closed Lost",
        "cancelled": "Closed Cancelled",
    }
    org_id: str | None = None

    def body(self, delivery_id: str, opportunities: list[Opportunity]) -> bytes:
        org = self.org_id or self.settings.salesforce_org_id
        notifications = "".join(
            f"""<Notification><Id>{escape(delivery_id)}-{i}</Id>
<sObject xsi:type="sf:Opportunity" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
<sf:Id>{escape(o.record_id)}</sf:Id><sf:Partner_Id__c>{escape(o.partner_id)}</sf:Partner_Id__c>
<sf:Customer_Name__c>{escape(o.customer)}</sf:Customer_Name__c><sf:Customer_Domain__c>{escape(o.domain)}</sf:Customer_Domain__c>
<sf:Product_Line__c>cloud</sf:Product_Line__c><sf:Amount>{o.amount}</sf:Amount><sf:CurrencyIsoCode>USD</sf:CurrencyIsoCode>
<sf:CloseDate>{o.close_date}</sf:CloseDate><sf:StageName>{escape(self.stages[o.stage])}</sf:StageName>
<sf:CreatedDate>{o.created}T08:00:00.000Z</sf:CreatedDate><sf:Loss_Reason__c xsi:nil="true"/>
<sf:SystemModstamp>{_moment(o.version).strftime("%Y-%m-%dT%H:%M:%S.000Z")}</sf:SystemModstamp>
</sObject></Notification>"""
            for i, o in enumerate(opportunities)
        )
        return f"""<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<soapenv:Body><notifications xmlns="http://soap.sforce.com/2005/09/outbound">
<OrganizationId>{org}</OrganizationId><ActionId>04k000000000001</ActionId><SessionId xsi:nil="true"/>
{notifications}</notifications></soapenv:Body></soapenv:Envelope>""".encode()

    def headers(self, body: bytes, timestamp: float | None = None) -> dict[str, str]:
        return {
            "X-Signature": sign_timestamped(self.secret, body, int(timestamp or time.time())),
            "Content-Type": "text/xml; charset=utf-8",
        }


CRMS = {"generic": GenericCrm, "hubspot": HubspotCrm, "salesforce": SalesforceCrm}
