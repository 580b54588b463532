"""schemathesis over the services' OpenAPI documents (issue 13): every phase, once with a
staff token holding every staff scope and once with a partner-bound token; no 5xx and no response
that breaks the document (status code, content type, body schema, headers)."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from insights.config import InsightsSettings
from insights.entrypoints.api import create_app as insights_app
from ledger.config import LedgerSettings
from ledger.entrypoints.api import create_app as ledger_app
from mdf.config import MdfSettings
from mdf.entrypoints.api import create_app as mdf_app
from registration.config import RegistrationSettings
from registration.entrypoints.api import create_app as registration_app
from servicekit.auth import OPERATOR_SCOPES, PARTNER_SCOPES, SCOPES, mint_token
from servicekit.settings import ServiceSettings

from .fuzz_seed import DICTIONARIES, PARTNER, seed
from .fuzz_support import fuzz, serve

STAFF_SCOPES = sorted(SCOPES.keys() - PARTNER_SCOPES)
MAX_EXAMPLES = 6
MAX_STEPS = 10

APPS: dict[str, Callable[[ServiceSettings], FastAPI]] = {
    "registration": registration_app,  # type: ignore[dict-item]
    "mdf": mdf_app,  # type: ignore[dict-item]
    "ledger": ledger_app,  # type: ignore[dict-item]
    "insights": insights_app,  # type: ignore[dict-item]
}


def _tokens(settings: ServiceSettings) -> dict[str, str]:
    secret = settings.token_secret.get_secret_value()
    return {
        "staff": mint_token(secret, subject="fuzz-staff", scopes=STAFF_SCOPES),
        "partner": mint_token(secret, subject="fuzz-partner", scopes=sorted(PARTNER_SCOPES), partner_id=PARTNER),
    }


@pytest.mark.timeout(900)
@pytest.mark.parametrize("service", list(APPS))
def test_no_server_error_and_every_response_as_documented(
    service: str,
    request: pytest.FixtureRequest,
) -> None:
    settings: ServiceSettings = request.getfixturevalue(f"{service}_settings")
    assert set(STAFF_SCOPES) >= OPERATOR_SCOPES
    app = APPS[service](settings)
    report = []
    failures: list[str] = []
    tokens = _tokens(settings)
    with serve(app) as base_url:
        refused = seed(service, base_url, tokens)
        assert not refused, f"the seed data was refused: {refused}"
        for who, token in tokens.items():
            started = time.monotonic()
            outcome = fuzz(app, base_url, token, max_examples=MAX_EXAMPLES, max_steps=MAX_STEPS, known_ids=DICTIONARIES)
            report.append(
                f"{service}/{who}: {outcome.requests} requests, {outcome.scenarios} scenarios,"
                f" {dict(sorted(outcome.statuses.items()))}, {len(outcome.succeeded)} operations answered 2xx,"
                f" phases {sorted(outcome.phases)}, {time.monotonic() - started:.1f}s"
            )
            failures += [f"{who}: {f}" for f in outcome.failures] + [f"{who}: error {e}" for e in outcome.errors]
    print("\n".join(report))
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:60])


# The settings fixtures of tests/conftest.py, by the names the test asks for.
_ = (LedgerSettings, MdfSettings, RegistrationSettings, InsightsSettings)
