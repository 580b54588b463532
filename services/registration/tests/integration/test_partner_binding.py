"""A partner-bound token is confined to its partner whatever its scopes (issue 13, defect 1): bound to
one partner with ``partners:write`` it renamed another."""

from __future__ import annotations

from servicekit.testing.client import auth_header

from .helpers import enroll, fetch


async def test_a_partner_bound_partners_write_token_changes_no_partner(registration_client, registration_settings):
    client, settings = registration_client, registration_settings
    await enroll(client, settings, "p1", "p2")
    bound = auth_header(settings, "partners:write", "deals:write", partner_id="p1", allow_staff_scopes=True)
    for method, path, body in [
        ("PATCH", "/partners/p2", {"name": "Taken over"}),
        ("PATCH", "/partners/p1", {"name": "Self-renamed"}),  # partner administration is the vendor's
        ("POST", "/partners/p2/deactivate", {"reason": "x"}),
        ("POST", "/deals/expire", {"as_of": "2026-03-01"}),
    ]:
        refused = await client.request(method, path, json=body, headers=bound | {"Idempotency-Key": path + method})
        assert refused.status_code == 403, (path, refused.text)
    names = await fetch(settings, "SELECT partner_id, name, active FROM partners ORDER BY partner_id")
    assert [(r["partner_id"], r["name"], r["active"]) for r in names] == [
        ("p1", "P1 Ltd", True),
        ("p2", "P2 Ltd", True),
    ]
