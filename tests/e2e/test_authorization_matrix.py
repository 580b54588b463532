"""Authorization matrix: every route of every service's app (read from ``app.routes``, so a new route is
covered without touching this file) by every role, aimed at another partner's ids.

Partner-bound tokens carry every scope there is, one at a time and all together (issue 13, defect 1:
a binding confines a token whatever its scopes); every row of the databases that names either
partner is the same after all their attempts as before (insights' database too).

Two partners have data in all three services (registration: deals, engagements; MDF: allocations,
requests, claims; ledger: entries, a payout batch, a simulation), and insights has read every event of
the three outboxes into its read models. Then, for every route:
- no token: 401; a valid token without any scope: 403 (every route has scopes);
- a partner token aimed at the other partner's resources: 403 or 404 for every write and every
  read of a resource of the other partner; a list may answer 200, never with a row of the other
  partner; no response names an id of the other partner that the request did not name, nor a staff
  member (partners see a role);
- the auditor's token (every read scope): 403 on every write (read-only);
- finance's token: 403 on every route that changes program rules;
- nobody ever gets a 5xx. Webhooks take signatures, not tokens: refused without one.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from governance.config import GovernanceSettings
from governance.entrypoints.api import create_app as governance_app
from insights.config import InsightsSettings
from insights.entrypoints.api import create_app as insights_app
from ledger.config import LedgerSettings
from ledger.entrypoints.api import create_app as ledger_app
from mdf.config import MdfSettings
from mdf.entrypoints.api import create_app as mdf_app
from registration.config import RegistrationSettings
from registration.entrypoints.api import create_app as registration_app
from servicekit.testing.client import app_client, auth_header
from servicekit.testing.databases import DatabaseFactory

from .insights_outboxes import insights_learns
from .matrix_data import (
    A,
    B,
    Clock,
    PartnerIds,
    Service,
    bodies,
    governance_data,
    ledger_data,
    mdf_data,
    registration_data,
)
from .mdf_partners import mdf_learns_enrolments
from .partner_bound import partner_bound_roles, rows_naming

MDF_INI = Path(__file__).resolve().parents[2] / "services/mdf/alembic.ini"
PUBLIC = {
    "/openapi.json",
    "/docs",
    "/docs/oauth2-redirect",
    "/redoc",
    "/healthz",
    "/readyz",
    "/metrics",
    "/sign-in",
    "/sign-out",
    "/static/{name:path}",
}  # the last three: the insights console's token-free routes
WEBHOOKS = re.compile(r"^/webhooks/")
PROGRAM_RULES = re.compile(r"^/(programs/[^/]+/versions|pilots$|cohorts/[^/]+/changes)")
PARTNER_PARAMS = {
    "partner_id", "deal_id", "engagement_id", "request_id", "claim_id", "entry_id", "simulation_id",
    "plan_id", "dispute_id", "proposal_id", "subscription_id", "delivery_id",
}  # fmt: skip
ROLES: dict[str, tuple[tuple[str, ...], str | None]] = {
    "partner A": (("partner:read", "partner:write"), A),
    "partner B": (("partner:read", "partner:write"), B),
    "no token": ((), None),
    "no scope": ((), None),
    "auditor": (("audit:read", "ledger:read", "finance:read", "deals:read", "mdf:read", "governance:read"), None),
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
            "governance:write",
            "ops:admin",
        ),
        None,
    ),
}
STAFF_NAME = '"tester"'  # every token's subject: staff actors are recorded by it, partners' as partner:<id>:tester
QUERY_DEFAULTS = {"from": "2026-01-01", "to": "2026-12-31", "period": "2026-Q1", "on": "2026-03-01", "currency": "USD"}


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


def fill(path: str, foreign: PartnerIds, shared: dict[str, str]) -> str:
    values = {**shared, **{k: v for k, v in vars(foreign).items() if v}}
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: values[m.group(1)], path)  # {name} or {name:convertor}


@pytest.fixture
def mdf_settings(database_factory: DatabaseFactory, topic_prefix: str) -> MdfSettings:
    return MdfSettings(
        environment="test", database_url=database_factory.create(MDF_INI, prefix="mdf"), topic_prefix=topic_prefix
    )


async def test_every_route_refuses_every_role_another_partners_data(
    registration_settings: RegistrationSettings,
    ledger_settings: LedgerSettings,
    mdf_settings: MdfSettings,
    insights_settings: InsightsSettings,
    governance_settings: GovernanceSettings,
) -> None:
    reg_clock, mdf_clock = Clock(date(2026, 3, 2)), Clock(date(2026, 4, 1))
    apps = [
        ("registration", registration_app(registration_settings, clock=reg_clock), registration_settings),
        ("mdf", mdf_app(mdf_settings, clock=mdf_clock), mdf_settings),
        ("ledger", ledger_app(ledger_settings), ledger_settings),
        ("insights", insights_app(insights_settings, clock=mdf_clock), insights_settings),
        ("governance", governance_app(governance_settings, clock=mdf_clock), governance_settings),
    ]
    ids = {A: PartnerIds(A), B: PartnerIds(B)}
    async with (
        app_client(apps[0][1]) as reg_client,
        app_client(apps[1][1]) as mdf_client,
        app_client(apps[2][1]) as led_client,
        app_client(apps[3][1]) as insights_client,
        app_client(apps[4][1]) as gov_client,
    ):
        clients = [reg_client, mdf_client, led_client, insights_client, gov_client]
        services = [Service(n, a, c, s) for (n, a, s), c in zip(apps, clients, strict=True)]
        await registration_data(services[0], ids)
        await mdf_learns_enrolments(registration_settings, mdf_settings)  # allocations need known partners
        await mdf_data(services[1], mdf_clock, ids)
        shared = await ledger_data(services[2], ids)
        await insights_learns(insights_settings, registration_settings, mdf_settings, ledger_settings)
        await governance_data(services[4], ids)
        shared |= {
            "period": "2026-Q2",
            "direct_deal_id": "dd-none",
            "source": "salesforce",
            "record_id": "r-none",
            "delivery_id": "dl-none",
            "reason": "self_dealing",
            "dead_letter_id": "1",
            "alert_id": "alert-none",
            "batch_id": "batch-none",
            "activity_id": "qbr-1",
            "item_kind": "deal",
            "item_id": "d-none",
            "decision": "confirm",  # the console's flag decision form
            "action": "review",  # the console's dispute forms (review, resolve, reject, escalate)
        }

        databases = [s.settings.database_url for s in services]
        marks = ids[A].values() | ids[B].values()
        before = await rows_naming(databases, marks)
        assert {
            "deals",
            "engagements",
            "mdf_requests",
            "mdf_claims",
            "allocations",
            "postings",
            "simulations",
            "insights_deals",
            "insights_partners",
            "streams",
        } <= {t.split(".")[1] for t in before}, before.keys()
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
