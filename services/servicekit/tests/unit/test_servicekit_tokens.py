"""Scoped bearer tokens: signatures, expiry, scopes, partner binding and key rotation."""

from __future__ import annotations

import time

import jwt
import pytest
from servicekit.auth import ISSUER, decode_token, mint_token, requires, route_policy
from servicekit.problems import Problem
from servicekit.settings import ServiceSettings

CURRENT = "c" * 40
PREVIOUS = "p" * 40


def test_a_token_carries_its_scopes_and_partner():
    token = mint_token(CURRENT, subject="acme-portal", scopes=["partner:read"], partner_id="acme")
    principal = decode_token([CURRENT], token)
    assert principal.subject == "acme-portal"
    assert principal.scopes == frozenset({"partner:read"})
    assert principal.partner_id == "acme"
    assert principal.can_see_partner("acme")
    assert not principal.can_see_partner("zeta")
    with pytest.raises(Problem) as refused:
        principal.require_partner("zeta")
    assert refused.value.status == 404


def test_unknown_scopes_are_refused_at_minting():
    with pytest.raises(ValueError, match="unknown scopes: deals:delete"):
        mint_token(CURRENT, subject="x", scopes=["deals:delete"])


def test_a_tampered_or_foreign_token_is_401():
    token = mint_token(CURRENT, subject="x", scopes=["ledger:read"])
    header, payload, signature = token.split(".")
    forged = ".".join([header, payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB"), signature])
    for bad in (forged, mint_token("x" * 40, subject="x", scopes=["ledger:read"]), "not-a-jwt"):
        with pytest.raises(Problem) as refused:
            decode_token([CURRENT], bad)
        assert refused.value.status == 401


def test_an_expired_token_is_401_with_the_reason():
    token = jwt.encode(
        {"iss": ISSUER, "sub": "x", "scope": "ledger:read", "exp": int(time.time()) - 5}, CURRENT, algorithm="HS256"
    )
    with pytest.raises(Problem) as refused:
        decode_token([CURRENT], token)
    assert refused.value.detail == "token expired"


def test_during_a_rotation_tokens_of_the_previous_key_still_verify():
    old_token = mint_token(PREVIOUS, subject="finance-batch", scopes=["finance:read"])
    rotating = ServiceSettings(token_secret=CURRENT, token_secret_previous=PREVIOUS)
    assert rotating.token_verification_secrets == [CURRENT, PREVIOUS]
    assert decode_token(rotating.token_verification_secrets, old_token).subject == "finance-batch"
    rotated = ServiceSettings(token_secret=CURRENT)
    with pytest.raises(Problem) as refused:
        decode_token(rotated.token_verification_secrets, old_token)
    assert refused.value.status == 401


def test_production_refuses_the_development_secret():
    with pytest.raises(ValueError, match="token_secret must be set"):
        ServiceSettings(environment="production")
    with pytest.raises(ValueError, match="at least 32 characters"):
        ServiceSettings(environment="production", token_secret="short-secret")
    assert ServiceSettings(environment="production", token_secret=CURRENT).environment == "production"


def test_operator_scopes_are_never_minted_for_a_partner():
    with pytest.raises(ValueError, match="never bound to a partner"):
        mint_token(CURRENT, subject="x", scopes=["ops:admin", "partner:read"], partner_id="acme")
    assert decode_token(CURRENT, mint_token(CURRENT, subject="ops", scopes=["ops:admin"])).partner_id is None


def test_a_partner_binding_goes_with_partner_scopes_unless_staff_scopes_are_asked_for():
    with pytest.raises(ValueError, match="--allow-staff-scopes"):
        mint_token(CURRENT, subject="x", scopes=["partner:read", "mdf:write"], partner_id="acme")
    token = mint_token(CURRENT, subject="x", scopes=["mdf:write"], partner_id="acme", allow_staff_scopes=True)
    assert decode_token(CURRENT, token).partner_id == "acme"
    with pytest.raises(ValueError, match="never bound to a partner"):
        mint_token(CURRENT, subject="x", scopes=["ops:admin"], partner_id="acme", allow_staff_scopes=True)


def test_a_route_open_to_partner_scopes_must_confine_partner_bound_tokens():
    with pytest.raises(ValueError, match="must confine"):
        requires("mdf:read", "partner:read")
    assert route_policy(requires("mdf:write")) == "forbid"
    assert route_policy(requires("partner:read", partner_bound="confine")) == "confine"
