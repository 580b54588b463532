"""A partner-bound token is confined to its partner whatever its scopes (issue 13, defect 1): with
``audit:read`` or ``finance:read`` it read every partner's events, chain heads and payout lines."""

from __future__ import annotations

import pytest
from servicekit.testing.client import auth_header

CROSS_PARTNER = [
    ("GET", "/audit/events", "audit:read"),
    ("GET", "/audit/chain-heads", "audit:read"),
    ("GET", "/payout-batches", "finance:read"),
    ("GET", "/payout-batches/any/lines", "finance:read"),
    ("GET", "/reconciliation?period=2026-Q1", "finance:read"),
    ("GET", "/programs", "ledger:read"),
]


@pytest.mark.parametrize(("method", "path", "scope"), CROSS_PARTNER)
async def test_cross_partner_reads_refuse_a_partner_bound_token_whatever_its_scope(
    ledger_client, ledger_settings, method, path, scope
):
    bound = auth_header(ledger_settings, scope, partner_id="acme", allow_staff_scopes=True)
    refused = await ledger_client.request(method, path, headers=bound)
    assert refused.status_code == 403, refused.text
    assert "bound to a partner" in refused.json()["detail"]
    unbound = await ledger_client.request(method, path, headers=auth_header(ledger_settings, scope))
    assert unbound.status_code != 403


async def test_a_partner_bound_staff_scope_reads_its_own_partner_only(ledger_client, ledger_settings):
    bound = auth_header(ledger_settings, "ledger:read", partner_id="acme", allow_staff_scopes=True)
    assert (await ledger_client.get("/entries?partner_id=zeta", headers=bound)).json()["items"] == []
    assert (await ledger_client.get("/partners/zeta/balances", headers=bound)).status_code == 404
