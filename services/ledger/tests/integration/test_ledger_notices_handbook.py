"""Policy-change notices and the partner handbook over HTTP: announced versions with what they
change, acknowledgements (who has and has not), the handbook of a date or a version as HTML, PDF
and JSON, and a partner-bound token confined to its own partner and program."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg
from ledger.adapters.store import SqlLedgerStore
from ledger.application.projector import project
from ledger_support import enrolled, incoming
from servicekit.db import sync_url
from servicekit.testing.client import auth_header

V1 = """\
program: p2
title: Partner program two
tiers:
  levels:
    - id: registered
rebate:
  percent:
    registered: {default: 5}
clawback: {window_days: 60}
engagement_points: {certification: 8}
commitment:
  window_days: 90
  rules:
    - rule_id: committed-partner
      minimum: {engagement_points: 20, certifications: 1}
      benefits: [{benefit: certified_status}, {benefit: free_training, amount: {amount: "1500.00", currency: USD}}]
spot_audits: {rate: "0.05"}
"""
V2 = (
    V1.replace("{default: 5}", "{default: 6}")
    .replace("{window_days: 60}", "{window_days: 90}")
    .replace("engagement_points: 20,", "engagement_points: 25,")
    .replace('rate: "0.05"', 'rate: "0.1"')
)


async def _program_with_a_notice(client, settings, uow_factory) -> None:  # type: ignore[no-untyped-def]
    admin = auth_header(settings, "program:admin")
    yaml = {**admin, "Content-Type": "application/yaml"}
    today = datetime.now(UTC).date()
    for document in (V1, V2):
        assert (await client.post("/programs/p2/versions", content=document, headers=yaml)).status_code == 201
    in_force = await client.post(
        "/programs/p2/versions/1/publish",
        json={"effective_from": str(today - timedelta(days=10)), "correction": True, "reason": "launch"},
        headers=admin,
    )
    assert in_force.status_code == 200, in_force.text
    announced = await client.post(
        "/programs/p2/versions/2/publish", json={"effective_from": str(today + timedelta(days=45))}, headers=admin
    )
    assert announced.status_code == 200, announced.text
    async with uow_factory() as uow:
        events = [enrolled("acme", program_id="p2"), enrolled("zeta", program_id="p2"), enrolled("omega")]
        assert await project(SqlLedgerStore(uow), [incoming(e) for e in events]) == []
        await uow.commit()


async def _acknowledged_events(database_url: str) -> int:
    conn = await asyncpg.connect(sync_url(database_url))
    try:
        return int(await conn.fetchval("SELECT count(*) FROM outbox WHERE event_type = 'partner.notice_acknowledged'"))
    finally:
        await conn.close()


async def test_a_partner_sees_the_announced_version_and_what_it_changes(ledger_client, ledger_settings, uow_factory):
    await _program_with_a_notice(ledger_client, ledger_settings, uow_factory)
    acme = auth_header(ledger_settings, "partner:read", partner_id="acme")
    found = await ledger_client.get("/partners/acme/notices", headers=acme)
    assert found.status_code == 200, found.text
    [notice] = found.json()["items"]
    assert (notice["version"], notice["replaces_version"], notice["acknowledgement"]) == (2, 1, None)
    assert notice["effective_from"] == str(datetime.now(UTC).date() + timedelta(days=45))
    assert [d["text"] for d in notice["differences"]] == [
        "The registered rebate for any other product line rises from 5 % to 6 %.",
        "The clawback window changes from 60 days (pro-rata) to 90 days (pro-rata).",
        "The minimum of engagement points for the committed partner rule is raised from 20 engagement points "
        "to 25 engagement points.",
        "The spot-audit rate rises from 5 % to 10 % of each quarter's won deals and MDF claims.",
    ]
    assert [d["area"] for d in notice["differences"]][-2:] == ["benefits", "audits"]
    other = await ledger_client.get(
        "/partners/acme/notices", headers=auth_header(ledger_settings, "partner:read", partner_id="zeta")
    )
    assert other.status_code == 404


async def test_acknowledging_records_who_once_and_lists_who_has_not(ledger_client, ledger_settings, uow_factory):
    await _program_with_a_notice(ledger_client, ledger_settings, uow_factory)
    writer = auth_header(ledger_settings, "partner:write", partner_id="acme", subject="anna@acme.example")
    path = "/partners/acme/notices/p2/2/acknowledgement"
    first = await ledger_client.post(path, headers=writer)
    assert first.status_code == 201, first.text
    again = await ledger_client.post(path, headers=writer)
    assert again.status_code == 200
    assert again.json() == first.json()
    assert first.json()["acknowledged_by"] == "anna@acme.example"
    assert await _acknowledged_events(ledger_settings.database_url) == 1

    in_force = await ledger_client.post("/partners/acme/notices/p2/1/acknowledgement", headers=writer)
    assert in_force.status_code == 422
    other = await ledger_client.post("/partners/zeta/notices/p2/2/acknowledgement", headers=writer)
    assert other.status_code == 404

    status = await ledger_client.get(
        "/programs/p2/versions/2/acknowledgements", headers=auth_header(ledger_settings, "program:admin")
    )
    assert status.status_code == 200, status.text
    body = status.json()
    assert [a["partner_id"] for a in body["acknowledged"]] == ["acme"]
    assert body["not_acknowledged"] == ["zeta"]
    listed = await ledger_client.get(
        "/partners/acme/notices", headers=auth_header(ledger_settings, "partner:read", partner_id="acme")
    )
    assert listed.json()["items"][0]["acknowledgement"]["acknowledged_by"] == "anna@acme.example"


async def test_the_handbook_of_today_and_of_the_announced_version(ledger_client, ledger_settings, uow_factory):
    await _program_with_a_notice(ledger_client, ledger_settings, uow_factory)
    acme = auth_header(ledger_settings, "partner:read", partner_id="acme")
    today = (await ledger_client.get("/partners/acme/handbook?format=json", headers=acme)).json()
    assert (today["version"], today["status"]) == (1, "in force")
    announced = (await ledger_client.get("/partners/acme/handbook?format=json&version=2", headers=acme)).json()
    assert (announced["version"], announced["status"]) == (2, "announced")
    worked = {b["version"]: b["sections"][3]["tables"][1]["rows"] for b in (today, announced)}
    assert worked[1] == [
        ["registered", "100,000.00 USD", "rebate 5,000.00 USD", "5,000.00 USD", "0.00 USD", "0.00 USD"]
    ]
    assert worked[2][0][3] == "6,000.00 USD"
    chapter = next(s for s in announced["sections"] if s["title"] == "Commitment benefits")
    assert chapter["tables"][0]["rows"] == [
        ["committed partner", "-", "1 certifications and 25 engagement points",
         "certified status, free training (1,500.00 USD)"]
    ]  # fmt: skip

    html = await ledger_client.get("/partners/acme/handbook", headers=acme)
    assert html.headers["content-type"].startswith("text/html")
    assert "Partner program two: partner handbook" in html.text
    assert "<h2>Commitment benefits</h2>" in html.text
    assert "Spot audits sample 5 % of each quarter" in html.text
    pdf = await ledger_client.get("/programs/p2/handbook?format=pdf&version=2", headers=acme)
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert (await ledger_client.get("/programs/default/handbook", headers=acme)).status_code == 404
    assert (await ledger_client.get("/partners/zeta/handbook", headers=acme)).status_code == 404
    staff = auth_header(ledger_settings, "ledger:read")
    past = await ledger_client.get(
        f"/programs/p2/handbook?format=json&on={datetime.now(UTC).date() - timedelta(days=30)}", headers=staff
    )
    assert past.status_code == 404  # nothing of p2 was in force a month ago
    assert (await ledger_client.get("/programs/p2/handbook?version=9", headers=staff)).status_code == 404
