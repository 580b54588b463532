"""Every route of every service declares who may call it and how a partner-bound token is treated
(issue 13, defect 1): read from ``app.routes``, so a new route without a declared policy fails here.

A route either takes no token (health, docs, metrics, signed webhooks) or depends on exactly one
:func:`servicekit.auth.requires`, whose ``partner_bound`` policy is ``"forbid"`` (the default: 403 to
any partner-bound token) or ``"confine"`` (the route limits the token to its partner)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

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
from servicekit.auth import PARTNER_SCOPES, route_policy

TOKENLESS = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc", "/healthz", "/readyz", "/metrics"}
SIGNED = {"/webhooks/salesforce", "/webhooks/hubspot", "/webhooks/generic"}
# The insights console's sign-in form, sign-out and its CSS/script (the pages themselves declare a policy).
CONSOLE_TOKENLESS = {"/sign-in", "/sign-out", "/static/{name:path}"}
DB = "postgresql://nobody@127.0.0.1:1/none"  # never connected: the apps are only built


def apps() -> dict[str, FastAPI]:
    return {
        "registration": registration_app(RegistrationSettings(environment="test", database_url=DB)),
        "mdf": mdf_app(MdfSettings(environment="test", database_url=DB)),
        "ledger": ledger_app(LedgerSettings(environment="test", database_url=DB)),
        "insights": insights_app(InsightsSettings(environment="test", database_url=DB)),
        "governance": governance_app(GovernanceSettings(environment="test", database_url=DB)),
    }


def policies(dependant: Any) -> Iterator[tuple[str, tuple[str, ...]]]:
    for dependency in dependant.dependencies:
        policy = route_policy(dependency.call)
        if policy is not None:
            yield policy, dependency.call.required_scopes
        yield from policies(dependency)


def routes(found: Any) -> Iterator[Any]:
    """Every endpoint with methods, included routers flattened (as the router sees them)."""
    for route in found:
        nested = getattr(route, "effective_route_contexts", None)
        if nested is not None:
            yield from routes(nested())
        elif getattr(route, "methods", None):
            yield route


def operations() -> Iterator[tuple[str, str, list[tuple[str, tuple[str, ...]]]]]:
    for name, app in apps().items():
        for route in routes(app.routes):
            dependant = getattr(route, "dependant", None)
            for method in sorted(route.methods - {"HEAD"}):
                yield name, f"{method} {route.path}", list(policies(dependant)) if dependant else []


def test_every_route_declares_its_partner_binding_policy() -> None:
    missing, seen = [], 0
    for service, operation, declared in operations():
        seen += 1
        path = operation.split(" ", 1)[1]
        if path in TOKENLESS or path in SIGNED or (service == "insights" and path in CONSOLE_TOKENLESS):
            assert declared == [], f"{service} {operation} takes no token"
            continue
        if len(declared) != 1:
            missing.append(f"{service} {operation}: {len(declared)} authorization dependencies")
    assert seen > 90
    assert missing == [], "\n".join(missing)


def test_only_confining_routes_take_partner_scopes() -> None:
    confining = []
    for service, operation, declared in operations():
        for policy, scopes in declared:
            if set(scopes) & PARTNER_SCOPES:
                assert policy == "confine", f"{service} {operation}"
            if policy == "confine":
                confining.append(f"{service} {operation}")
    assert "mdf POST /requests/{request_id}/approve" not in confining
    assert "registration PATCH /partners/{partner_id}" not in confining
    assert "ledger GET /audit/events" not in confining
    assert "mdf GET /requests/{request_id}" in confining
    for staff_only in (
        "GET /roi",
        "POST /alerts/evaluations",
        "POST /alerts/{alert_id}/acknowledgements",
        "POST /anomalies/{deal_id}/flags/{reason}/clear",
        "POST /anomalies/{deal_id}/flags/{reason}/confirm",
        "GET /finance/reconciliation",
        "GET /finance/payout-batches",
        "GET /finance/payout-batches/{batch_id}/lines",
    ):
        assert f"insights {staff_only}" not in confining
    for own in ("GET /alerts", "GET /alerts/{alert_id}", "GET /anomalies", "GET /anomalies/{deal_id}"):
        assert f"insights {own}" in confining
    assert "governance POST /disputes/{dispute_id}/resolve" not in confining
    assert "governance POST /audits" not in confining
    assert "governance GET /audits/{period}" not in confining
    assert "governance POST /benefits/evaluations" not in confining
    assert "governance GET /partners/{partner_id}/benefits" in confining
    assert "governance POST /disputes/{dispute_id}/escalate" in confining
