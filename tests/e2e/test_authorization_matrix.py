"""Authorization matrix: every route of every service's app (read from ``app.routes``, so a new route is
covered without touching this file) by every role, aimed at another partner's ids.

Partner-bound tokens carry every scope there is, one at a time and all together (issue 13, defect 1:
a binding confines a token whatever its scopes); every row of the three databases that names either
partner is the same after all their attempts as before.

Two partners have data in all three services (registration: deals, engagements; MDF: allocations,
requests, claims; ledger: entries, a payout batch, a simulation). Then, for every route:
- no token: 401; a valid token without any scope: 403 (every route has scopes);
- a partner token aimed at the other partner's resources: 403 or 404 for every write and every
  read of a resource of the other partner; a list may answer 200, never with a row of the other
  partner; and no response names an id of the other partner that the request did not name;
- the auditor's token (every read scope): 403 on every write (read-only);
- finance's token: 403 on every route that changes program rules;
- nobody ever gets a 5xx. Webhooks take signatures, not tokens: refused without one.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from incentive_contracts.events.deal import DealWon
from incentive_contracts.events.partner import PartnerEnrolled, PartnerType
from incentive_contracts.money import Money
from incentive_contracts.registry import encode
from ledger.adapters.store import SqlLedgerStore
from ledger.application.projector import Incoming, project
from ledger.config import LedgerSettings
from ledger.entrypoints.api import create_app as ledger_app
from mdf.config import MdfSettings
from mdf.entrypoints.api import create_app as mdf_app
from registration.config import RegistrationSettings
from registration.entrypoints.api import create_app as registration_app
from servicekit.db import create_engine
from servicekit.settings import ServiceSettings
from servicekit.tables import consumed_events
from servicekit.testing.client import app_client, auth_header
from servicekit.testing.databases import DatabaseFactory
from servicekit.unit_of_work import UnitOfWorkFactory
from sqlalchemy.dialects.postgresql import insert

from .mdf_partners import mdf_learns_enrolments
from .partner_bound import partner_bound_roles, rows_naming

MDF_INI = Path(__file__).resolve().parents[2] / "services/mdf/alembic.ini"
A, B = "ptnr-alpha", "ptnr-beta"
PUBLIC = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc", "/healthz", "/readyz", "/metrics"}
WEBHOOKS = re.compile(r"^/webhooks/")
PROGRAM_RULES = re.compile(r"^/(programs/[^/]+/versions|pilots$|cohorts/[^/]+/changes)")
PARTNER_PARAMS = {"partner_id", "deal_id", "engagement_id", "request_id", "claim_id", "entry_id", "simulation_id"}
ROLES: dict[str, tuple[tuple[str, ...], str | None]] = {
    "partner A": (("partner:read", "partner:write"), A),
    "partner B": (("partner:read", "partner:write"), B),
    "no token": ((), None),
    "no scope": ((), None),
    "auditor": (("audit:read", "ledger:read", "finance:read", "deals:read", "mdf:read"), None),
    "finance": (("finance:read", "finance:write", "ledger:read"), None),
    "admin": (
        (
            "program:admin",
            "partners:write",
            "deals:write",
            "deals:read",
            "mdf:write",
            "mdf:read",
            "ledger:read",
            "ops:admin",
        ),
        None,
    ),
}
STAFF_NAME = '"tester"'  # every token's subject: staff actors are recorded by it, partners' as partner:<id>:tester
QUERY_DEFAULTS = {"from": "2026-01-01", "to": "2026-12-31", "period": "2026-Q1", "on": "2026-03-01"}


class Clock:
    def __init__(self, day: date) -> None:
        self.set(day)

    def set(self, day: date) -> None:
        self.current = datetime.combine(day, time(12), UTC)

    def now(self) -> datetime:
        return self.current


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

    def values(self) -> set[str]:
        return {v for v in vars(self).values() if v}


def walk(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    """(method, path) of every endpoint, through included routers."""
    for route in routes:
        if hasattr(route, "original_router"):
            yield from walk(route.original_router.routes, prefix + route.include_context.prefix)
        elif getattr(route, "methods", None):
            for method in sorted(route.methods - {"HEAD"}):
                yield method, prefix + route.path


def required_query(app: FastAPI, method: str, path: str) -> dict[str, str]:
    operation = app.openapi()["paths"].get(path, {}).get(method.lower(), {})
    return {
        p["name"]: QUERY_DEFAULTS[p["name"]]
        for p in operation.get("parameters", [])
        if p["in"] == "query" and p.get("required")
    }


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
    }


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


def fill(path: str, foreign: PartnerIds, shared: dict[str, str]) -> str:
    values = {**shared, **{k: v for k, v in vars(foreign).items() if v}}
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)


@pytest.fixture
def mdf_settings(database_factory: DatabaseFactory, topic_prefix: str) -> MdfSettings:
    return MdfSettings(
        environment="test", database_url=database_factory.create(MDF_INI, prefix="mdf"), topic_prefix=topic_prefix
    )


async def test_every_route_refuses_every_role_another_partners_data(
    registration_settings: RegistrationSettings, ledger_settings: LedgerSettings, mdf_settings: MdfSettings
) -> None:
    reg_clock, mdf_clock = Clock(date(2026, 3, 2)), Clock(date(2026, 4, 1))
    apps = [
        ("registration", registration_app(registration_settings, clock=reg_clock), registration_settings),
        ("mdf", mdf_app(mdf_settings, clock=mdf_clock), mdf_settings),
        ("ledger", ledger_app(ledger_settings), ledger_settings),
    ]
    ids = {A: PartnerIds(A), B: PartnerIds(B)}
    async with (
        app_client(apps[0][1]) as reg_client,
        app_client(apps[1][1]) as mdf_client,
        app_client(apps[2][1]) as led_client,
    ):
        services = [
            Service(n, a, c, s) for (n, a, s), c in zip(apps, [reg_client, mdf_client, led_client], strict=True)
        ]
        await registration_data(services[0], ids)
        await mdf_learns_enrolments(registration_settings, mdf_settings)  # allocations need known partners
        await mdf_data(services[1], mdf_clock, ids)
        shared = await ledger_data(services[2], ids)
        shared |= {
            "period": "2026-Q2",
            "direct_deal_id": "dd-none",
            "source": "salesforce",
            "record_id": "r-none",
            "delivery_id": "dl-none",
            "reason": "self_dealing",
            "dead_letter_id": "1",
        }

        databases = [s.settings.database_url for s in services]
        marks = ids[A].values() | ids[B].values()
        before = await rows_naming(databases, marks)
        assert {"deals", "engagements", "mdf_requests", "mdf_claims", "allocations", "postings", "simulations"} <= {
            t.split(".")[1] for t in before
        }, before.keys()
        bound_roles = partner_bound_roles(A) | partner_bound_roles(B)
        failures, checked = await attempts(services, ids, shared, bound_roles, lists_unfiltered=True)
        assert checked > 2000
        assert failures == [], "\n".join(failures)
        assert await rows_naming(databases, marks) == before, "a partner-bound token changed a partner's rows"

        failures, checked = await attempts(services, ids, shared, ROLES)
        assert checked > 300
        assert failures == [], "\n".join(failures)


async def attempts(
    services: list[Service],
    ids: dict[str, PartnerIds],
    shared: dict[str, str],
    roles: dict[str, tuple[tuple[str, ...], str | None]],
    *,
    lists_unfiltered: bool = False,
) -> tuple[list[str], int]:
    """Every route by every role, aimed at the other partner; with ``lists_unfiltered`` every GET is
    also sent without ``partner_id`` (a list must then hold the caller's rows only)."""
    failures: list[str] = []
    checked = 0
    for service in services:
        for method, path in walk(service.app.routes):
            if path in PUBLIC:
                continue
            for role, (scopes, bound) in roles.items():
                own_id = bound or A
                foreign = ids[B if own_id == A else A]
                url = fill(path, foreign, shared)
                headers = {"Idempotency-Key": uuid.uuid4().hex}
                if role != "no token":
                    headers |= auth_header(service.settings, *scopes, partner_id=bound, allow_staff_scopes=True)
                variants = [required_query(service.app, method, path)]
                if method == "GET":
                    variants = [variants[0] | {"partner_id": foreign.partner_id}] + variants * lists_unfiltered
                body = bodies(foreign).get((service.name, method, path), {}) if method != "GET" else None
                for params in variants:
                    response = await service.client.request(method, url, params=params, json=body, headers=headers)
                    checked += 1
                    problem = _judge(service.name, method, path, role, bound, foreign, url, params, body, response)
                    if problem:
                        failures.append(problem)
    return failures, checked


def _judge(
    service: str,
    method: str,
    path: str,
    role: str,
    bound: str | None,
    foreign: PartnerIds,
    url: str,
    params: dict[str, str],
    body: Any,
    response: httpx.Response,
) -> str | None:
    where = f"{role}: {method} {service}{path} -> {response.status_code}"
    status = response.status_code
    if status >= 500:
        return f"{where} (server error)"
    if WEBHOOKS.match(path):
        return None if status in (400, 401, 403) else f"{where} (a webhook without a signature)"
    if role == "no token":
        return None if status == 401 else f"{where} (expected 401)"
    if role == "no scope":
        return None if status == 403 else f"{where} (expected 403: every route needs a scope)"
    if role == "auditor" and method != "GET":
        return None if status == 403 else f"{where} (the auditor is read-only)"
    if role == "finance" and method != "GET" and PROGRAM_RULES.match(path):
        return None if status == 403 else f"{where} (finance cannot change program rules)"
    if bound is None:
        return None
    asked = url + repr(params) + repr(body)
    leaked = sorted(v for v in foreign.values() if v in response.text and (200 <= status < 300 or v not in asked))
    if leaked:
        return f"{where} (names the other partner's {leaked})"
    if STAFF_NAME in response.text:
        return f"{where} (names a staff member: partners see a role)"
    targets_foreign = method != "GET" or any(f"{{{p}}}" in path for p in PARTNER_PARAMS)
    if targets_foreign and status not in (403, 404):
        return f"{where} (expected 403 or 404 for the other partner's data)"
    if not targets_foreign and not (200 <= status < 300 or status in (403, 404)):
        return f"{where} (expected 2xx without the other partner's rows, or 403/404)"
    return None
