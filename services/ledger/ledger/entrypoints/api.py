"""HTTP API of the ledger: thin routes over read models and the program use cases."""

from __future__ import annotations

from fastapi import FastAPI
from incentive_kernel.clock import Clock
from servicekit.app import create_service_app
from servicekit.dead_letter_api import dead_letter_router

from ..bootstrap import LedgerContainer, PeerFactory, bootstrap
from ..config import LedgerSettings
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


def create_app(
    settings: LedgerSettings | None = None,
    *,
    container: LedgerContainer | None = None,
    clock: Clock | None = None,
    peers: PeerFactory | None = None,
) -> FastAPI:
    """The ledger's API over its container (built from ``settings``, a clock and the peers' clients
    when not given: tests hand in a fixed clock or in-process clients of the other services)."""
    container = container or bootstrap(settings, clock=clock, peers=peers)
    return create_service_app(
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
    )
