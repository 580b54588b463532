"""Scoped bearer tokens (HS256 JWT). A partner token is bound to one partner id."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import jwt
from fastapi import Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .problems import Problem

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

    def can_see_partner(self, partner_id: str) -> bool:
        return self.partner_id is None or self.partner_id == partner_id

    def require_partner(self, partner_id: str) -> None:
        """Object-level check: a partner-bound token only ever reaches its own partner."""
        if not self.can_see_partner(partner_id):
            raise Problem(404, "Not found", "no such resource for this caller")


def mint_token(
    secret: str,
    *,
    subject: str,
    scopes: list[str],
    partner_id: str | None = None,
    ttl_seconds: int = 3600,
) -> str:
    unknown = sorted(set(scopes) - SCOPES.keys())
    if unknown:
        raise ValueError(f"unknown scopes: {', '.join(unknown)}")
    if partner_id is not None and OPERATOR_SCOPES & set(scopes):
        raise ValueError(f"operator scopes ({', '.join(sorted(OPERATOR_SCOPES))}) are never bound to a partner")
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

_bearer = HTTPBearer(auto_error=False)

PrincipalDependency = Callable[[Request], Coroutine[Any, Any, Principal]]


def requires(*any_of: str) -> PrincipalDependency:
    """FastAPI dependency: a valid token holding at least one of the scopes.

    ``partner:read``/``partner:write`` tokens pass only with a bound ``partner_id``; routes then
    call :meth:`Principal.require_partner` (or filter lists by it).
    """

    async def dependency(request: Request) -> Principal:
        credentials: HTTPAuthorizationCredentials | None = await _bearer(request)
        if credentials is None:
            raise Problem(401, "Unauthorized", "a bearer token is required", headers={"WWW-Authenticate": "Bearer"})
        principal = decode_token(request.app.state.token_secrets, credentials.credentials)
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
        if granted <= OPERATOR_SCOPES and principal.partner_id is not None:
            raise Problem(403, "Forbidden", "operator scopes are never valid on a token bound to a partner")
        return principal

    dependency.required_scopes = any_of  # type: ignore[attr-defined]  # read by servicekit.openapi
    return dependency
