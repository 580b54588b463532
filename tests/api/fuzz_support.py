"""Run schemathesis (every phase of its engine) against one service app served in this process.

The app runs under uvicorn in a thread of its own (its lifespan opens the database engine on that
thread's event loop); schemathesis sends real HTTP to it. The run is seeded and deterministic, and
bounded by ``max_examples`` per operation (the coverage phase runs the cases the schema defines).
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import schemathesis
import uvicorn
from fastapi import FastAPI
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events

# What the issue asks of every response: no 5xx, and conformance to the document; and what the
# document's security and methods promise (a route declaring a token refuses a request without one,
# unsupported methods are 405 with the documented Allow, a missing required header is refused, a
# deleted or created resource behaves as such). Not enabled: positive_data_acceptance (a
# schema-valid request may still break a business rule: 404/409/422 are documented answers).
# negative_data_rejection is on: it found that JSON 0/1 were read as booleans in request bodies.
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "ignored_auth",
    "unsupported_method",
    "allow_header_conformance",
    "missing_required_header",
    "use_after_free",
    "ensure_resource_availability",
    "negative_data_rejection",
)
SEED = 13


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """``app`` under uvicorn on a free local port (lifespan on); yields its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", access_log=False)
    )
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the app did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@dataclass
class FuzzOutcome:
    requests: int = 0
    scenarios: int = 0
    failures: list[str] = field(default_factory=list)
    phases: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)  # "2xx": n, ... (how much was reached)
    succeeded: set[str] = field(default_factory=set)  # operations answered 2xx at least once


def fuzz(
    app: FastAPI,
    base_url: str,
    token: str,
    *,
    max_examples: int,
    max_steps: int,
    known_ids: dict[str, list[str]] | None = None,
) -> FuzzOutcome:
    """Every phase (examples, coverage, fuzzing, stateful) with ``token``; the failures found.

    ``known_ids``: path parameter name -> ids that exist; such a parameter takes one of them half of
    the time (the rest is generated), so reads reach real rows."""
    names = sorted(known_ids or {})
    checks = os.environ.get("FUZZ_CHECKS", ",".join(CHECKS)).split(",")
    config = SchemathesisConfig.from_dict(
        {
            "dictionaries": {f"known-{name}": {"values": (known_ids or {})[name]} for name in names},
            "parameters": {f"path.{name}": {"dictionary": f"known-{name}", "probability": 0.5} for name in names},
            "seed": SEED,
            "base-url": base_url,
            "headers": {"Authorization": f"Bearer {token}"},
            "workers": 1,
            "generation": {"max-examples": max_examples, "deterministic": True, "database": "none"},
            "phases": {"stateful": {"max-steps": max_steps}},
            "checks": {"enabled": False, **{name: {"enabled": True} for name in checks}},
            "suppress-health-check": ["all"],
        }
    )
    schema = schemathesis.openapi.from_dict(app.openapi(), config=config)
    outcome = FuzzOutcome()
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.PhaseStarted):
            outcome.phases.add(event.phase.name.value)
        elif isinstance(event, events.ScenarioFinished):
            outcome.scenarios += 1
            outcome.requests += len(event.recorder.interactions)
            for case_id, interaction in event.recorder.interactions.items():
                if interaction.response is not None:
                    status = interaction.response.status_code
                    outcome.statuses[f"{status // 100}xx"] += 1
                    if status < 300:
                        case = event.recorder.cases[case_id].value
                        outcome.succeeded.add(f"{case.method} {case.path}")
            outcome.failures.extend(_failures(event))
        elif isinstance(event, events.NonFatalError | events.FatalError):
            outcome.errors.append(str(getattr(event, "info", event)))
    return outcome


def _failures(event: events.ScenarioFinished) -> list[str]:
    found = []
    for case_id, checks in event.recorder.checks.items():
        for check in checks:
            if check.failure_info is None:
                continue
            case = event.recorder.cases[case_id].value
            found.append(
                f"{event.label} [{event.phase.value}] {check.name}: {check.failure_info.failure.title}"
                f" -- {check.failure_info.failure.message[:300]}\n    {check.failure_info.code_sample[:600]}"
                f"  (case {case.method} {case.formatted_path})"
            )
    return found
