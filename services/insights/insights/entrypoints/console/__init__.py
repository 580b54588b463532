"""The web console, served by insights at ``/``: server-rendered pages over insights' own APIs and the
owner services' APIs, signed in with the same bearer tokens (see ``session.py``)."""

from __future__ import annotations

from fastapi import APIRouter

from . import (
    pages_auth,
    pages_governance,
    pages_partners,
    pages_plans,
    pages_portal,
    pages_portal_governance,
    pages_program,
    pages_webhooks,
)

router = APIRouter(include_in_schema=False)
for _pages in (pages_auth, pages_program, pages_partners, pages_governance, pages_plans, pages_webhooks, pages_portal,
               pages_portal_governance):  # fmt: skip
    router.include_router(_pages.router)

__all__ = ["router"]
