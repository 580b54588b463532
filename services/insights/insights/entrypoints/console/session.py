"""Sign-in for the console: the same bearer tokens as the APIs, kept in an HttpOnly cookie.

The cookie is ``SameSite=Strict`` (no other site can make the browser send it, so a form posted from
elsewhere carries no token), and the token is verified on every page exactly as the APIs verify it.
A page declares its partner-binding policy like an API route (``route_policy`` reads it): the staff
pages send a partner-bound token to its portal, and the portal only ever shows the token's partner.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from servicekit.auth import Principal, decode_token
from servicekit.container import runtime_of  # the settings the APIs verify tokens with
from servicekit.problems import Problem

COOKIE = "insights_console"
STAFF_SCOPES = ("insights:read",)
PORTAL_SCOPES = ("partner:read",)


@dataclass(frozen=True)
class Viewer:
    """Who is looking, with the token the pages forward to the APIs on their behalf."""

    principal: Principal
    token: str

    @property
    def partner_id(self) -> str | None:
        return self.principal.partner_id

    @property
    def is_partner(self) -> bool:
        return self.principal.partner_id is not None

    @property
    def can_decide_flags(self) -> bool:
        return not self.is_partner and "deals:write" in self.principal.scopes

    @property
    def can_govern(self) -> bool:
        """May send governance's staff forms (governance itself decides which: resolving needs program:admin)."""
        return not self.is_partner and bool({"governance:write", "program:admin"} & set(self.principal.scopes))


def verify(request: Request, token: str) -> Principal | None:
    """The token's principal, or None when it is not one the APIs accept."""
    try:
        return decode_token(runtime_of(request).settings.token_verification_secrets, token)
    except Problem:
        return None


@dataclass(frozen=True)
class Refusal:
    """Why a page is not shown: 401 (no valid token: the sign-in form) or 403 (not this viewer's page)."""

    status: int
    message: str


def token_of(request: Request) -> str:
    """The cookie the sign-in form set, or the bearer token an API client sends."""
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return request.cookies.get(COOKIE, "")


def viewer_dependency(*scopes: str, partner_bound: str) -> Callable[[Request], Coroutine[Any, Any, Viewer | Refusal]]:
    """The signed-in viewer holding one of ``scopes``, or why not. ``partner_bound`` as in ``requires``:
    "forbid" refuses partner-bound tokens (403), "confine" admits only them (the portal)."""

    async def dependency(request: Request) -> Viewer | Refusal:
        token = token_of(request)
        principal = verify(request, token) if token and len(token) <= 4096 else None
        if principal is None:
            return Refusal(401, "Sign in with your token.")
        if not principal.scopes & set(scopes):
            return Refusal(403, "Your token does not open this page.")
        if partner_bound == "forbid" and principal.partner_id is not None:
            return Refusal(403, "This page spans partners. Your own program is in your portal.")
        if partner_bound == "confine" and principal.partner_id is None:
            return Refusal(403, "The portal is for partners' own tokens; staff use the program console.")
        return Viewer(principal, token)

    dependency.partner_bound = partner_bound  # type: ignore[attr-defined]  # read by the route-policy test
    dependency.required_scopes = scopes  # type: ignore[attr-defined]
    return dependency


STAFF_READ = (*STAFF_SCOPES, "deals:read", "deals:write", "ledger:read", "finance:read", "audit:read", "mdf:read")
staff_viewer = viewer_dependency(*STAFF_READ, partner_bound="forbid")
portal_viewer = viewer_dependency(*PORTAL_SCOPES, partner_bound="confine")
