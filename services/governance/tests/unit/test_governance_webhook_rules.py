"""Outbound webhooks: who receives what, the signature (checked against an independent HMAC) and the
retry schedule worked by hand."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest
from governance.domain.errors import RuleViolation
from governance.domain.webhooks import RetryPolicy, after_attempt, backoff, receives, require_valid, signature

NOW = datetime(2026, 4, 1, 12, tzinfo=UTC)


def test_a_partner_never_receives_another_partners_events() -> None:
    assert receives("p-1", "p-1")
    assert not receives("p-1", "p-2")
    assert receives("p-1", None)  # a program announcement names no partner
    assert receives(None, "p-2")  # a finance system receives every partner's


def test_the_signature_is_the_inbound_scheme() -> None:
    body = b'{"type":"governance.benefit_granted"}'
    expected = hmac.new(b"s3cret", b"1775044800." + body, hashlib.sha256).hexdigest()
    assert signature("s3cret", body, 1775044800) == f"t=1775044800,v1={expected}"


def test_retries_back_off_doubling_up_to_the_cap_then_give_up() -> None:
    policy = RetryPolicy(base_seconds=30, cap_seconds=300, max_attempts=5)
    # 30, 60, 120, 240, then 480 capped at 300.
    assert [backoff(n, policy).total_seconds() for n in range(1, 6)] == [30, 60, 120, 240, 300]
    assert after_attempt(1, False, NOW, policy).retry_at == NOW + timedelta(seconds=30)
    assert after_attempt(4, False, NOW, policy).status == "pending"
    assert after_attempt(5, False, NOW, policy).status == "failed"
    assert after_attempt(5, True, NOW, policy).status == "delivered"


def test_only_known_event_types_and_https_in_production() -> None:
    require_valid(["governance.benefit_granted"], "http://localhost:9000/hook", production=False)
    with pytest.raises(RuleViolation):
        require_valid(["deal.won"], "https://erp.example/hook", production=False)
    with pytest.raises(RuleViolation):
        require_valid(["ledger.payout_settled"], "http://erp.example/hook", production=True)
    with pytest.raises(RuleViolation):
        require_valid([], "https://erp.example/hook", production=True)


def test_a_statement_ready_is_subscribable() -> None:
    require_valid(["ledger.statement_ready", "ledger.payout_settled"], "https://acme.example/hook", production=True)
