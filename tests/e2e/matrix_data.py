"""The authorization matrix's data: two partners with objects in every service (registration: a
partner, a deal, an engagement; MDF: an allocation, an approved request, a claim; ledger: entries, a
simulation, a payout batch, a pilot; governance: a signed plan, a dispute, a proposal), and valid
bodies for the writes a partner token may call."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import httpx
from fastapi import FastAPI
from incentive_contracts.events.deal import DealWon
from incentive_contracts.events.partner import PartnerEnrolled, PartnerType
from incentive_contracts.money import Money
from incentive_contracts.registry import encode
from ledger.adapters.store import SqlLedgerStore
from ledger.application.projector import Incoming, project
from servicekit.db import create_engine
from servicekit.settings import ServiceSettings
from servicekit.tables import consumed_events
from servicekit.testing.client import auth_header
from servicekit.testing.clock import SettableClock as Clock
from servicekit.unit_of_work import UnitOfWorkFactory
from sqlalchemy.dialects.postgresql import insert

A, B = "ptnr-alpha", "ptnr-beta"


@dataclass
class Service:
    name: str
    app: FastAPI
    client: httpx.AsyncClient
    settings: ServiceSettings


@dataclass
class PartnerIds:
    """One partner's resources in the three services: what the other partner must never reach."""

    partner_id: str
    deal_id: str = ""
    engagement_id: str = ""
    request_id: str = ""
    claim_id: str = ""
    entry_id: str = ""
    simulation_id: str = ""
    plan_id: str = ""
    dispute_id: str = ""
    proposal_id: str = ""
    subscription_id: str = ""

    def values(self) -> set[str]:
        return {v for v in vars(self).values() if v}


def bodies(foreign: PartnerIds) -> dict[tuple[str, str, str], Any]:
    """Valid bodies for the writes a partner token may call, aimed at the other partner."""
    usd = {"amount": "1000.00", "currency": "USD"}
    eur = {"amount": "100.00", "currency": "EUR"}
    deal = {
        "deal_id": f"x-{uuid.uuid4().hex[:6]}",
        "partner_id": foreign.partner_id,
        "customer_name": "Initech",
        "product_line": "cloud",
        "expected_amount": usd,
        "expected_close": "2026-06-30",
    }
    return {
        ("registration", "POST", "/deals"): deal,
        ("registration", "POST", "/deals/bulk"): {"deals": [deal]},
        ("registration", "POST", "/deals/{deal_id}/stage"): {"stage": "qualified"},
        ("registration", "POST", "/deals/{deal_id}/lost"): {"reason": "price"},
        ("registration", "POST", "/deals/{deal_id}/forecast"): {"expected_close": "2026-07-31"},
        ("registration", "POST", "/deals/{deal_id}/influence"): {
            "kind": "joint_demo",
            "occurred_on": "2026-03-01",
            "evidence_ref": "crm://demo",
        },
        ("registration", "POST", "/engagements"): {
            "partner_id": foreign.partner_id,
            "kind": "certification",
            "occurred_on": "2026-03-01",
            "evidence_ref": "crm://cert",
        },
        ("mdf", "POST", "/requests"): request_body(foreign.partner_id, f"rq-{uuid.uuid4().hex[:6]}"),
        ("mdf", "POST", "/requests/{request_id}/cancel"): {"reason": "changed plans"},
        ("mdf", "POST", "/requests/{request_id}/results"): {"results": {"registrations": 10}},
        ("mdf", "POST", "/requests/{request_id}/claims"): claim_body(f"cl-{uuid.uuid4().hex[:6]}", eur),
        ("ledger", "POST", "/simulations"): {"program_id": "default", "version": 0, "partner_id": foreign.partner_id},
        **governance_bodies(foreign),
    }


def governance_bodies(foreign: PartnerIds) -> dict[tuple[str, str, str], Any]:
    """Valid governance bodies aimed at the other partner (a partner route must answer 404, not 422)."""
    usd = {"amount": "1000.00", "currency": "USD"}
    return {
        ("governance", "POST", "/plans"): {"plan_id": f"x-{uuid.uuid4().hex[:6]}", "partner_id": foreign.partner_id,
                                           "year": 2027},
        ("governance", "POST", "/plans/{plan_id}/extend"): {"plan_id": f"x-{uuid.uuid4().hex[:6]}"},
        ("governance", "PUT", "/plans/{plan_id}/content"): {"target_segments": ["retail"]},
        ("governance", "POST", "/plans/{plan_id}/signatures"): {"plan_version": 1},
        ("governance", "POST", "/plans/{plan_id}/activities/{activity_id}/completion"): {"completed_on": "2026-03-01"},
        ("governance", "POST", "/disputes"): {"dispute_id": f"x-{uuid.uuid4().hex[:6]}",
                                              "partner_id": foreign.partner_id, "subject_kind": "missing_reward",
                                              "subject_ref": "deal-x", "description": "missing", "claimed_amount": usd},
        ("governance", "POST", "/subscriptions"): {"subscription_id": f"x-{uuid.uuid4().hex[:6]}",
                                                   "partner_id": foreign.partner_id, "url": "http://hook.example/x",
                                                   "event_types": ["governance.benefit_granted"]},
        ("governance", "POST", "/proposals"): {"proposal_id": f"x-{uuid.uuid4().hex[:6]}",
                                               "partner_id": foreign.partner_id, "program_id": "default",
                                               "title": "Idea", "text": "more"},
    }  # fmt: skip


async def governance_data(service: Service, ids: dict[str, PartnerIds]) -> None:
    """Each partner's own plan (signed by both sides), dispute (in review), proposal and webhook subscription."""
    staff = auth_header(service.settings, "governance:write")
    for partner_id, own in ids.items():
        token = auth_header(service.settings, "partner:read", "partner:write", partner_id=partner_id)
        own.plan_id, own.dispute_id, own.proposal_id = f"plan-{partner_id}", f"dsp-{partner_id}", f"prop-{partner_id}"
        activity = {"activity_id": "qbr-1", "kind": "qbr", "title": "QBR", "partner_owner": "P", "vendor_owner": "V",
                    "due_on": "2026-03-31"}  # fmt: skip
        plan = {"plan_id": own.plan_id, "partner_id": partner_id, "year": 2026, "activities": [activity]}
        await ok(service.client, "POST", "/plans", plan, token)
        await ok(service.client, "POST", f"/plans/{own.plan_id}/signatures", {"plan_version": 1}, token)
        await ok(service.client, "POST", f"/plans/{own.plan_id}/signatures", {"plan_version": 1}, staff)
        dispute = {"dispute_id": own.dispute_id, "partner_id": partner_id, "subject_kind": "statement_line",
                   "subject_ref": "entry-1", "description": "wrong rate"}  # fmt: skip
        await ok(service.client, "POST", "/disputes", dispute, token)
        await ok(service.client, "POST", f"/disputes/{own.dispute_id}/review", {}, staff)
        proposal = {"proposal_id": own.proposal_id, "partner_id": partner_id, "program_id": "default",
                    "title": "Idea", "text": "count webinars"}  # fmt: skip
        await ok(service.client, "POST", "/proposals", proposal, token)
        await ok(service.client, "POST", f"/proposals/{own.proposal_id}/answers",
                 {"status": "under_consideration", "answer": "noted"}, staff)  # fmt: skip
        own.subscription_id = f"sub-{partner_id}"
        hook = {"subscription_id": own.subscription_id, "partner_id": partner_id, "url": "http://hook.example/h",
                "event_types": ["governance.dispute_resolved"]}  # fmt: skip
        await ok(service.client, "POST", "/subscriptions", hook, token)


def request_body(partner_id: str, request_id: str) -> dict[str, Any]:
    return {
        "request_id": request_id,
        "partner_id": partner_id,
        "period": "2026-Q2",
        "activity_type": "webinar",
        "title": "Webinar",
        "planned_cost": {"amount": "400.00", "currency": "EUR"},
        "requested_amount": {"amount": "200.00", "currency": "EUR"},
        "starts_on": "2026-05-04",
        "ends_on": "2026-05-08",
        "expected_results": {"registrations": 100, "leads": 10},
    }


def claim_body(claim_id: str, amount: dict[str, str]) -> dict[str, Any]:
    return {
        "claim_id": claim_id,
        "claimed_amount": amount,
        "actual_cost": {"amount": "400.00", "currency": "EUR"},
        "invoice_ref": f"INV-{claim_id}",
        "proof": [{"reference": f"s3://proof/{claim_id}.pdf", "content_hash": "0f" * 32}],
        "results": {"registrations": 120, "attendees": 60, "leads": 12, "opportunities_influenced": 1},
    }


async def ok(client: httpx.AsyncClient, method: str, path: str, body: Any, headers: dict[str, str]) -> Any:
    response = await client.request(method, path, json=body, headers=headers | {"Idempotency-Key": uuid.uuid4().hex})
    assert response.status_code in (200, 201), f"{method} {path}: {response.status_code} {response.text}"
    return response.json()


async def registration_data(reg: Service, ids: dict[str, PartnerIds]) -> None:
    manager = auth_header(reg.settings, "partners:write", "deals:write", "deals:read")
    for partner_id, own in ids.items():
        body = {
            "partner_id": partner_id,
            "name": f"{partner_id} Ltd",
            "partner_type": "reseller",
            "region": "EMEA",
            "enrolled_on": "2026-01-01",
        }
        await ok(reg.client, "POST", "/partners", body, manager)
        token = auth_header(reg.settings, "partner:read", "partner:write", partner_id=partner_id)
        own.deal_id = f"deal-{partner_id}-1"
        deal = {
            "deal_id": own.deal_id,
            "partner_id": partner_id,
            "customer_name": f"Customer of {partner_id}",
            "product_line": "cloud",
            "expected_amount": {"amount": "1000.00", "currency": "USD"},
            "expected_close": "2026-06-30",
        }
        await ok(reg.client, "POST", "/deals", deal, token)
        own.engagement_id = f"eng-{partner_id}-1"
        engagement = {
            "engagement_id": own.engagement_id,
            "partner_id": partner_id,
            "kind": "certification",
            "occurred_on": "2026-02-01",
            "evidence_ref": "crm://cert",
        }
        await ok(reg.client, "POST", "/engagements", engagement, token)


async def mdf_data(mdf: Service, clock: Clock, ids: dict[str, PartnerIds]) -> None:
    manager = auth_header(mdf.settings, "mdf:write")
    await ok(mdf.client, "PUT", "/budgets/2026-Q2", {"amount": {"amount": "100000.00", "currency": "EUR"}}, manager)
    for partner_id, own in ids.items():
        await ok(
            mdf.client,
            "POST",
            "/allocations",
            {"partner_id": partner_id, "period": "2026-Q2", "amount": {"amount": "1000.00", "currency": "EUR"}},
            manager,
        )
        token = auth_header(mdf.settings, "partner:read", "partner:write", partner_id=partner_id)
        own.request_id = f"rq-{partner_id}-1"
        await ok(mdf.client, "POST", "/requests", request_body(partner_id, own.request_id), token)
        await ok(mdf.client, "POST", f"/requests/{own.request_id}/approve", {}, manager)
    clock.set(date(2026, 5, 12))
    for partner_id, own in ids.items():
        token = auth_header(mdf.settings, "partner:read", "partner:write", partner_id=partner_id)
        own.claim_id = f"cl-{partner_id}-1"
        claim = claim_body(own.claim_id, {"amount": "200.00", "currency": "EUR"})
        await ok(mdf.client, "POST", f"/requests/{own.request_id}/claims", claim, token)


async def ledger_data(led: Service, ids: dict[str, PartnerIds]) -> dict[str, str]:
    settings = led.settings
    payloads: list[Any] = []
    for partner_id in ids:
        payloads += [
            PartnerEnrolled(
                partner_id=partner_id,
                name=partner_id,
                partner_type=PartnerType.RESELLER,
                region="EMEA",
                program_id="default",
                enrolled_on=date(2026, 1, 5),
            ),
            DealWon(
                partner_id=partner_id,
                deal_id=f"deal-{partner_id}-1",
                product_line="cloud",
                amount=Money(amount="1000.00", currency="USD"),
                closed_on=date(2026, 2, 1),
                registered=True,
                influence=[],
            ),
        ]
    envelopes = [encode(p, source="/registration", time=datetime.now(UTC), sequence=i) for i, p in enumerate(payloads)]
    engine = create_engine(settings.database_url, pool_size=1)
    try:
        async with UnitOfWorkFactory(engine, source="/ledger", topic="t")() as uow:
            await uow.conn.execute(
                insert(consumed_events),
                [
                    {
                        "event_id": e.id,
                        "consumer_group": "ledger",
                        "topic": "incentives.registration",
                        "partition": 0,
                        "offset": i,
                        "event_type": e.type,
                        "subject": e.subject,
                        "event_time": e.time,
                        "payload": e.to_json(),
                    }
                    for i, e in enumerate(envelopes)
                ],
            )
            incoming = [Incoming(e.id, p, e.time) for e, p in zip(envelopes, payloads, strict=True)]
            assert await project(SqlLedgerStore(uow), incoming) == []
            await uow.commit()
    finally:
        await engine.dispose()
    reader = auth_header(settings, "ledger:read")
    for partner_id, own in ids.items():
        entries = (await led.client.get(f"/entries?partner_id={partner_id}", headers=reader)).json()["items"]
        own.entry_id = entries[0]["entry_id"]
        token = auth_header(settings, "partner:read", "partner:write", partner_id=partner_id)
        own.simulation_id = (
            await ok(led.client, "POST", "/simulations", {"program_id": "default", "version": 0}, token)
        )["simulation_id"]
    finance = auth_header(settings, "finance:write")
    batch = await ok(
        led.client, "POST", "/payout-batches", {"currency": "USD", "cutoff": "2026-02-28T00:00:00Z"}, finance
    )
    admin = auth_header(settings, "program:admin")
    pilot = {
        "pilot_id": "pilot-x",
        "base_program_id": "default",
        "variant_program_id": "default-pilot",
        "cohort_tag": "cohort-x",
        "control_tag": "control-x",
        "starts_on": "2026-01-01",
    }
    await ok(led.client, "POST", "/pilots", pilot, admin)
    return {
        "batch_id": batch["batch_id"],
        "program_id": "default",
        "version": "0",
        "pilot_id": "pilot-x",
        "tag": "cohort-x",
    }
