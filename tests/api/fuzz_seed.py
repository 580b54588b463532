"""A little data in each service before schemathesis runs, so reads answer 200 with real bodies
(validated against the document) and not only 404s. Path parameters naming these ids are bound to
them half of the time (schemathesis dictionaries); the other half is generated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

PARTNER = "P-FUZZ"
DEAL = "d-fuzz-1"
PROGRAM = "fuzz"
PILOT = "fuzz-pilot"


def _quarter(day: datetime) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _steps(service: str) -> list[tuple[str, str, str, Any]]:
    """(who, method, path, JSON body) per service, in order."""
    now = datetime.now(UTC)
    usd = {"amount": "1000.00", "currency": "USD"}
    if service == "registration":
        return [
            ("staff", "POST", "/partners", {"partner_id": PARTNER, "name": "Fuzz", "partner_type": "reseller",
                                            "region": "EMEA"}),
            ("partner", "POST", "/deals", {"deal_id": DEAL, "partner_id": PARTNER, "customer_name": "Fuzz Customer",
                                           "product_line": "cloud", "expected_amount": usd,
                                           "expected_close": str((now + timedelta(days=30)).date())}),
            ("partner", "POST", "/engagements", {"partner_id": PARTNER, "kind": "certification",
                                                 "occurred_on": str(now.date()), "evidence_ref": "cert-1"}),
        ]  # fmt: skip
    if service == "mdf":
        return [("staff", "PUT", f"/budgets/{_quarter(now)}", {"amount": usd})]
    if service == "insights":
        return []  # read models only: nothing to write through its API
    document = (
        "program: fuzz\ntitle: Fuzz\ntiers:\n  levels:\n    - id: registered\n"
        "rebate:\n  percent:\n    registered: {default: 5}\nclawback: {window_days: 60}\n"
    )
    return [
        ("staff", "POST", f"/programs/{PROGRAM}/versions", {"document": document}),
        ("staff", "POST", f"/programs/{PROGRAM}/versions/1/publish",
         {"effective_from": str((now + timedelta(days=40)).date())}),
        ("staff", "POST", "/pilots", {"pilot_id": PILOT, "base_program_id": "default", "variant_program_id": PROGRAM,
                                      "cohort_tag": PILOT, "control_tag": "fuzz-control",
                                      "starts_on": str(now.date())}),
        ("staff", "POST", f"/cohorts/{PILOT}/changes", {"changes": [{"partner_id": PARTNER,
                                                                     "effective_on": str(now.date())}]}),
        ("staff", "PUT", f"/reconciliation/forecasts/{_quarter(now)}",
         {"currency": "USD", "reward_expense": "10.00", "mdf_usage": "5.00", "payouts": "1.00"}),
        ("staff", "POST", "/payout-batches", {"currency": "USD", "cutoff": (now - timedelta(hours=1)).isoformat()}),
        ("staff", "POST", "/simulations", {"program_id": PROGRAM, "version": 1}),
    ]  # fmt: skip


def seed(service: str, base_url: str, tokens: dict[str, str]) -> list[str]:
    """Run the service's seed writes; the ones that did not succeed (as "METHOD path -> status: body")."""
    refused = []
    with httpx.Client(base_url=base_url, timeout=30) as client:
        for who, method, path, body in _steps(service):
            response = client.request(method, path, json=body, headers={"Authorization": f"Bearer {tokens[who]}"})
            if response.status_code >= 300:
                refused.append(f"{method} {path} -> {response.status_code}: {response.text[:300]}")
    return refused


# The seeded ids, offered to schemathesis for the path parameters that name them.
DICTIONARIES: dict[str, list[str]] = {
    "partner_id": [PARTNER],
    "deal_id": [DEAL],
    "program_id": [PROGRAM],
    "pilot_id": [PILOT],
    "tag": [PILOT],
}
