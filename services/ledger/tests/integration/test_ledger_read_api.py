"""Balances (now and as of), statements (JSON, CSV), entries with cursors, explanations, partner isolation."""

from __future__ import annotations

from datetime import date

from ledger.adapters.store import SqlLedgerStore
from ledger.application.projector import project
from ledger_support import cleared, enrolled, flagged, incoming, reversed_, won
from servicekit.testing.client import auth_header


async def _story(uow_factory):  # type: ignore[no-untyped-def]
    events = [
        enrolled("acme", program_id="default"),
        enrolled("zeta", program_id="default"),
        won("d1", "1000.00", date(2026, 2, 1), registered=True),  # rebate 50.00, MDF 10.00
        won("d2", "3000.00", date(2026, 3, 10)),  # rebate 150.00, MDF 30.00
        flagged("d2", date(2026, 3, 11)),  # 150.00 held
        reversed_("d1", "500.00", date(2026, 4, 2)),  # half: 25.00 and 5.00 back
        won("z1", "999.00", date(2026, 2, 1), pid="zeta"),
    ]
    async with uow_factory() as uow:
        assert await project(SqlLedgerStore(uow), [incoming(e) for e in events]) == []
        await uow.commit()


async def test_balances_now_and_as_of_a_date(ledger_client, ledger_settings, uow_factory):
    await _story(uow_factory)
    reader = auth_header(ledger_settings, "partner:read", partner_id="acme")
    now = (await ledger_client.get("/partners/acme/balances", headers=reader)).json()
    assert {(b["purpose"], b["balance"]) for b in now["balances"]} == {
        ("mdf_available", "40.00"),  # d1's 5.00 MDF is asked of the mdf service, not taken by the ledger
        ("rebates_held", "150.00"),
        ("rebates_payable", "25.00"),
    }
    rewards = next(t for t in now["totals"] if t["fund"] == "rewards")
    assert (rewards["available"], rewards["held"], rewards["pending"], rewards["paid"]) == ("25.00", "150.00", "0", "0")
    march = (await ledger_client.get("/partners/acme/balances?as_of=2026-03-10T00:00:00Z", headers=reader)).json()
    # d1 and d2 won, nothing held or reversed yet: 50 + 150 payable, 10 + 30 MDF
    assert {(b["purpose"], b["balance"]) for b in march["balances"]} == {
        ("mdf_available", "40.00"),
        ("rebates_payable", "200.00"),
    }


async def test_statement_has_opening_lines_with_explanations_and_closing(ledger_client, ledger_settings, uow_factory):
    await _story(uow_factory)
    reader = auth_header(ledger_settings, "ledger:read")
    statement = (
        await ledger_client.get("/partners/acme/statement?from=2026-03-01&to=2026-03-31&currency=USD", headers=reader)
    ).json()
    assert (statement["from"], statement["to"]) == ("2026-03-01", "2026-03-31")
    assert {(a["purpose"], a["balance"]) for a in statement["opening"]} == {
        ("mdf_available", "10.00"),
        ("rebates_payable", "50.00"),
    }
    assert [(e["kind"], e["account"].split(":")[-1], e["amount"]) for e in statement["entries"]] == [
        ("rebate", "rebates_payable", "150.00"),
        ("mdf_accrual", "mdf_available", "30.00"),
        ("hold", "rebates_payable", "-150.00"),
        ("hold", "rebates_held", "150.00"),
    ]
    assert statement["entries"][0]["explanation"].startswith("Rebate of 150.00 USD on deal d2")
    assert {(a["purpose"], a["balance"]) for a in statement["closing"]} == {
        ("mdf_available", "40.00"),
        ("rebates_payable", "50.00"),
        ("rebates_held", "150.00"),
    }
    csv = await ledger_client.get("/partners/acme/statement?from=2026-03-01&to=2026-03-31&format=csv", headers=reader)
    assert csv.headers["content-type"].startswith("text/csv")
    rows = csv.text.strip().split("\n")
    assert rows[0].startswith("section,date,entry_id,kind")
    assert [r.split(",")[0] for r in rows[1:]] == ["opening"] * 2 + ["entry"] * 4 + ["closing"] * 3


async def test_entries_filters_cursor_and_explanation(ledger_client, ledger_settings, uow_factory):
    await _story(uow_factory)
    reader = auth_header(ledger_settings, "ledger:read")
    first = (await ledger_client.get("/entries?partner_id=acme&limit=3", headers=reader)).json()
    assert len(first["items"]) == 3
    assert first["next_cursor"]
    rest = (
        await ledger_client.get(f"/entries?partner_id=acme&limit=100&cursor={first['next_cursor']}", headers=reader)
    ).json()
    kinds = [e["kind"] for e in first["items"] + rest["items"]]
    assert kinds == ["rebate", "mdf_accrual", "rebate", "mdf_accrual", "hold", "clawback"]  # MDF: asked, not posted
    assert rest["next_cursor"] is None
    clawbacks = (await ledger_client.get("/entries?kind=clawback&deal_id=d1", headers=reader)).json()["items"]
    assert len(clawbacks) == 1
    assert clawbacks[0]["reverses"] == first["items"][0]["entry_id"]

    explained = (await ledger_client.get(f"/entries/{clawbacks[0]['entry_id']}/explain", headers=reader)).json()
    assert explained["reverses"] == first["items"][0]["entry_id"]
    assert "Clawback of 25.00 USD of the rebate on deal d1" in explained["text"]
    assert "pro rata: 500.00 of 1000.00 USD reversed so far" in explained["text"]
    original = (await ledger_client.get(f"/entries/{first['items'][0]['entry_id']}/explain", headers=reader)).json()
    assert original["rule"] == {"rule_id": "default/rebate", "version": 0, "program": "default"}
    assert "1000.00 USD x 5 % = 50.00 -> 50.00 USD (half-even)" in original["text"]
    assert original["reversed_by"] == [clawbacks[0]["entry_id"]]
    assert (await ledger_client.get("/entries?cursor=nonsense", headers=reader)).status_code == 400


async def test_a_partner_token_only_sees_its_own_partner(ledger_client, ledger_settings, uow_factory):
    await _story(uow_factory)
    zeta = auth_header(ledger_settings, "partner:read", partner_id="zeta")
    own = (await ledger_client.get("/entries", headers=zeta)).json()["items"]
    assert own
    assert {e["partner_id"] for e in own} == {"zeta"}
    assert (await ledger_client.get("/entries?partner_id=acme", headers=zeta)).json()["items"] == []
    acme_entry = (
        await ledger_client.get("/entries?partner_id=acme", headers=auth_header(ledger_settings, "ledger:read"))
    ).json()["items"][0]
    for path in (
        f"/entries/{acme_entry['entry_id']}",
        f"/entries/{acme_entry['entry_id']}/explain",
        "/partners/acme/balances",
        "/partners/acme/statement?from=2026-01-01&to=2026-12-31",
        "/partners/acme/tier",
    ):
        response = await ledger_client.get(path, headers=zeta)
        assert response.status_code == 404, path
        assert set(response.json()) <= {"type", "title", "status", "detail", "instance"}
    assert (
        await ledger_client.get("/partners/acme/balances", headers=auth_header(ledger_settings, "partner:read"))
    ).status_code == 403


async def test_flag_cleared_releases_through_the_api_view(ledger_client, ledger_settings, uow_factory):
    await _story(uow_factory)
    async with uow_factory() as uow:
        await project(SqlLedgerStore(uow), [incoming(cleared("d2", date(2026, 4, 5)))])
        await uow.commit()
    reader = auth_header(ledger_settings, "ledger:read")
    now = (await ledger_client.get("/partners/acme/balances", headers=reader)).json()
    rewards = next(t for t in now["totals"] if t["fund"] == "rewards")
    assert (rewards["available"], rewards["held"]) == ("175.00", "0.00")
    tier = (await ledger_client.get("/partners/acme/tier", headers=reader)).json()
    assert (tier["program_id"], tier["tier"]) == ("default", "registered")
