"""Scoped bearer tokens (HS256 JWT) and the one authorization rule every route passes through.

A token may be bound to one partner (``partner_id``). A partner-bound token is confined to that
partner on every route, whatever scopes it carries: each route declares, through :func:`requires`,
whether it can be confined to one partner (``partner_bound="confine"``: the route checks every object it
reads or changes with :meth:`Principal.require_partner` and limits lists with
:meth:`Principal.confine`) or not (``partner_bound="forbid"``, the default: program-wide routes such as
budgets, period close, payout cuts, program publishing, audit logs, reconciliation and dead letters
answer 403 to any partner-bound token).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Literal

import jwt
from fastapi import Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .container import runtime_of
from .problems import Problem
from .viewer import viewer_var

ISSUER = "partner-incentive-ledger"

SCOPES = {
    "deals:write": "register and move deals, record engagement",
    "deals:read": "read deals and engagement across partners",
    "partners:write": "enroll and change partners",
    "mdf:write": "allocate funds, approve requests and claims",
    "mdf:read": "read funds, requests and claims across partners",
    "program:admin": "create and publish program rules",
    "ledger:read": "read balances, entries and statements across partners",
    "finance:read": "read payout batches and reconciliation",
    "finance:write": "cut and acknowledge payout batches",
    "audit:read": "read the consumed event log and chain heads",
    "insights:read": "read program analytics (indicators, cohorts, ROI, alerts) across partners",
    "insights:write": "evaluate and acknowledge drift alerts",
    "governance:read": "read joint plans, benefits, disputes, audits, proposals and webhooks across partners",
    "governance:write": "manage joint plans, disputes, proposals, benefit runs and webhook subscriptions",
    "partner:read": "a partner reading its own data (token bound to partner_id)",
    "partner:write": "a partner writing its own deals, requests and claims",
    "ops:admin": "operations: re-drive dead letters, re-publish",
}


@dataclass(frozen=True)
class Principal:
    subject: str
    scopes: frozenset[str]
    partner_id: str | None = None

    @property
    def caller(self) -> str:
        """The scope of idempotency keys: one caller never sees another's responses."""
        return f"{self.subject}|{self.partner_id or '*'}"

    @property
    def actor(self) -> str:
        """The name recorded for what this caller does: a partner's users as ``partner:<id>:<subject>``
        (so responses can tell them from staff, see :mod:`servicekit.viewer`)."""
        return self.subject if self.partner_id is None else f"partner:{self.partner_id}:{self.subject}"

    def can_see_partner(self, partner_id: str) -> bool:
        return self.partner_id is None or self.partner_id == partner_id

    def require_partner(self, partner_id: str) -> None:
        """Object-level check: a partner-bound token only ever reaches its own partner."""
        if not self.can_see_partner(partner_id):
            raise Problem(404, "Not found", "no such resource for this caller")

    def confine(self, partner_id: str | None) -> str | None:
        """The partner a list is limited to: a partner-bound token always sees only its own (asking for
        another partner's is 404); an unbound token sees the partner it asked for, or all."""
        if self.partner_id is None:
            return partner_id
        if partner_id is not None:
            self.require_partner(partner_id)
        return self.partner_id


def mint_token(
    secret: str,
    *,
    subject: str,
    scopes: list[str],
    partner_id: str | None = None,
    ttl_seconds: int = 3600,
    allow_staff_scopes: bool = False,
) -> str:
    """Sign a token. A partner binding goes with the partner scopes only, unless ``allow_staff_scopes``
    says otherwise explicitly (the routes then confine those scopes to the partner or refuse them)."""
    unknown = sorted(set(scopes) - SCOPES.keys())
    if unknown:
        raise ValueError(f"unknown scopes: {', '.join(unknown)}")
    if partner_id is not None and OPERATOR_SCOPES & set(scopes):
        raise ValueError(f"operator scopes ({', '.join(sorted(OPERATOR_SCOPES))}) are never bound to a partner")
    staff = sorted(set(scopes) - PARTNER_SCOPES)
    if partner_id is not None and staff and not allow_staff_scopes:
        raise ValueError(
            f"a token bound to a partner carries {' and '.join(sorted(PARTNER_SCOPES))} only, not staff scopes "
            f"({', '.join(staff)}); ask explicitly (--allow-staff-scopes) for a staff token confined to partner "
            f"{partner_id} (every route then limits it to that partner or refuses it)"
        )
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "sub": subject,
        "scope": " ".join(sorted(scopes)),
        "iat": now,
        "exp": now + ttl_seconds,
        "jti": str(uuid.uuid4()),
    }
    if partner_id is not None:
        claims["partner_id"] = partner_id
    return jwt.encode(claims, secret, algorithm="HS256")


def decode_token(secrets: str | list[str], token: str) -> Principal:
    """Verify with the current key, then the previous one (key rotation without a cut-over)."""
    claims: dict[str, Any] | None = None
    for secret in [secrets] if isinstance(secrets, str) else secrets:
        try:
            claims = jwt.decode(token, secret, algorithms=["HS256"], issuer=ISSUER, options={"require": ["exp", "sub"]})
            break
        except jwt.ExpiredSignatureError as exc:
            raise _invalid_token("token expired") from exc
        except jwt.InvalidSignatureError:
            continue
        except jwt.PyJWTError as exc:
            raise _invalid_token("invalid token") from exc
    if claims is None:
        raise _invalid_token("invalid token")
    return Principal(
        subject=str(claims["sub"]),
        scopes=frozenset(str(claims.get("scope", "")).split()),
        partner_id=claims.get("partner_id"),
    )


def _invalid_token(detail: str) -> Problem:
    """401 with the RFC 6750 challenge: the token was sent and is not acceptable."""
    challenge = f'Bearer error="invalid_token", error_description="{detail}"'
    return Problem(401, "Unauthorized", detail, headers={"WWW-Authenticate": challenge})


PARTNER_SCOPES = frozenset({"partner:read", "partner:write"})
OPERATOR_SCOPES = frozenset({"ops:admin"})  # dead letters, re-drives: never with a partner-bound token

PartnerBound = Literal["forbid", "confine"]
"""How a route treats a partner-bound token: refuse it (403), or confine it to its partner."""

_bearer = HTTPBearer(auto_error=False)

PrincipalDependency = Callable[[Request], Coroutine[Any, Any, Principal]]


def requires(*any_of: str, partner_bound: PartnerBound = "forbid") -> PrincipalDependency:
    """FastAPI dependency: a valid token holding at least one of the scopes, and the route's
    partner-binding policy (see the module docstring). The default, ``"forbid"``, is the safe one: a
    route that confines partner-bound tokens says so and checks the binding on what it touches.

    ``partner:read``/``partner:write`` tokens pass only with a bound ``partner_id``; the principal is
    also recorded as the request's viewer (:mod:`servicekit.viewer`) for the response models.
    """
    if partner_bound not in ("forbid", "confine"):
        raise ValueError(f"partner_bound must be 'forbid' or 'confine', not {partner_bound!r}")
    if partner_bound == "forbid" and set(any_of) & PARTNER_SCOPES:
        raise ValueError("a route open to partner scopes must confine partner-bound tokens, not forbid them")

    async def dependency(request: Request) -> Principal:
        credentials: HTTPAuthorizationCredentials | None = await _bearer(request)
        if credentials is None:
            raise Problem(401, "Unauthorized", "a bearer token is required", headers={"WWW-Authenticate": "Bearer"})
        principal = decode_token(runtime_of(request).settings.token_verification_secrets, credentials.credentials)
        granted = principal.scopes & set(any_of)
        if not granted:
            raise Problem(
                403,
                "Forbidden",
                f"this action needs one of the scopes: {', '.join(any_of)}",
                headers={"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{" ".join(any_of)}"'},
            )
        if granted <= PARTNER_SCOPES and principal.partner_id is None:
            raise Problem(403, "Forbidden", "partner scopes need a token bound to a partner")
        if principal.partner_id is not None and (partner_bound == "forbid" or granted <= OPERATOR_SCOPES):
            raise Problem(
                403,
                "Forbidden",
                "this route spans partners: a token bound to a partner cannot use it, whatever its scopes",
            )
        viewer_var.set(principal)
        return principal

    dependency.partner_bound = partner_bound  # type: ignore[attr-defined]  # read by the route-policy test
    dependency.required_scopes = any_of  # type: ignore[attr-defined]  # read by servicekit.openapi and that test
    return dependency


def route_policy(call: Any) -> PartnerBound | None:
    """The partner-binding policy a dependency declares (``None``: not an authorization dependency)."""
    policy: PartnerBound | None = getattr(call, "partner_bound", None)
    return policy
