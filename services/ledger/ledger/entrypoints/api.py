"""HTTP API of the ledger: thin routes over read models and the program use cases."""

from __future__ import annotations

from fastapi import FastAPI
from servicekit.app import create_service_app
from servicekit.dead_letter_api import dead_letter_router

from ..bootstrap import LedgerContainer, bootstrap
from ..config import LedgerSettings
from ..domain.errors import AlreadyPublished, Conflict, InvalidRequest, NotFound, RuleViolation
from ..domain.program_document import InvalidProgram
from . import (
    routes_audit,
    routes_entries,
    routes_handbook,
    routes_notices,
    routes_partners,
    routes_payouts,
    routes_pilots,
    routes_programs,
    routes_reconciliation,
    routes_service_reconciliation,
    routes_simulations,
)
from .projector import PROJECTOR
from .reconcile_wiring import peer_clients

DOMAIN_ERRORS: dict[type[Exception], tuple[int, str]] = {
    NotFound: (404, "Not found"),
    AlreadyPublished: (409, "Already published"),
    RuleViolation: (422, "Rule violated"),
    InvalidProgram: (422, "Invalid program"),
    Conflict: (409, "Conflict"),
    InvalidRequest: (422, "Invalid request"),
}


def create_app(settings: LedgerSettings | None = None, *, container: LedgerContainer | None = None) -> FastAPI:
    container = container or bootstrap(settings)
    app = create_service_app(
        container,
        title="Partner incentive ledger",
        routers=[
            routes_partners.router,
            routes_entries.router,
            routes_programs.router,
            routes_payouts.router,
            routes_audit.router,
            routes_reconciliation.router,
            routes_service_reconciliation.router,
            routes_simulations.router,
            routes_pilots.router,
            routes_notices.router,
            routes_handbook.router,
            dead_letter_router(PROJECTOR),
        ],
        domain_errors=DOMAIN_ERRORS,
    )
    app.state.peer_clients = peer_clients  # tests hand in in-process clients of the other services
    # Interim: what the routes still read from app.state until they take the container.
    app.state.uow_factory = container.runtime.uow_factory
    app.state.engine = container.runtime.engine
    app.state.settings = container.runtime.settings
    return app
