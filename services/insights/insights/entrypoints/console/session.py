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
from servicekit.auth import PARTNER_SCOPES, Principal, decode_token
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


def verify(request: Request, token: str) -> Principal | None:
    """The token's principal, or None when it is not one the APIs accept."""
    try:
        return decode_token(runtime_of(request).settings.token_verification_secrets, token)
    except Problem:
        return None


def viewer_dependency(*scopes: str, partner_bound: str) -> Callable[[Request], Coroutine[Any, Any, Viewer | None]]:
    """The signed-in viewer, or None (the page then sends the browser to the sign-in form)."""

    async def dependency(request: Request) -> Viewer | None:
        token = request.cookies.get(COOKIE, "")
        if not token or len(token) > 4096:
            return None
        principal = verify(request, token)
        if principal is None:
            return None
        if principal.partner_id is None and principal.scopes <= PARTNER_SCOPES:
            return None
        return Viewer(principal, token)

    dependency.partner_bound = partner_bound  # type: ignore[attr-defined]  # read by the route-policy test
    dependency.required_scopes = scopes  # type: ignore[attr-defined]
    return dependency


staff_viewer = viewer_dependency(*STAFF_SCOPES, "deals:read", "ledger:read", partner_bound="forbid")
portal_viewer = viewer_dependency(*PORTAL_SCOPES, partner_bound="confine")
