"""Pilots and what-if simulations against PostgreSQL.

Program ``growth`` pays 5 % on won deals; its pilot variant ``growth-pilot`` pays 8 %. Partner p1 is in
the pilot's cohort, p2 in the control cohort. Amounts below are worked out from those rates.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from incentive_contracts.events.deal import DealLost
from ledger_log_support import consume
from ledger_support import enrolled, won
from servicekit.testing.client import auth_header


def document(program_id: str, percent: str) -> str:
    return (
        f"program: {program_id}\ntitle: {program_id}\ntiers:\n  levels:\n    - id: registered\n"
        f'rebate:\n  percent:\n    registered: {{default: "{percent}"}}\n'
        "clawback: {window_days: 90}\n"
    )


async def _program(client, settings, program_id: str, percent: str) -> None:  # type: ignore[no-untyped-def]
    admin = auth_header(settings, "program:admin")
    drafted = await client.post(
        f"/programs/{program_id}/versions",
        content=document(program_id, percent),
        headers=admin | {"Content-Type": "application/yaml"},
    )
    assert drafted.status_code == 201, drafted.text
    published = await client.post(
        f"/programs/{program_id}/versions/1/publish",
        json={"effective_from": "2026-01-01", "correction": True, "reason": "pilot set-up in the past"},
        headers=admin,
    )
    assert published.status_code == 200, published.text


async def _project(uow_factory, payloads):  # type: ignore[no-untyped-def]
    await consume(uow_factory, payloads, datetime.now(UTC))


async def _pilot_story(client, settings, uow_factory) -> None:  # type: ignore[no-untyped-def]
    await _program(client, settings, "growth", "5")
    await _program(client, settings, "growth-pilot", "8")
    admin = auth_header(settings, "program:admin")
    pilot = {
        "pilot_id": "pilot-a",
        "base_program_id": "growth",
        "variant_program_id": "growth-pilot",
        "cohort_tag": "pilot-a",
        "control_tag": "control-a",
        "starts_on": "2026-01-01",
        "ends_on": "2026-06-30",
    }
    assert (await client.post("/pilots", json=pilot, headers=admin)).status_code == 201
    for tag, partner in (("pilot-a", "p1"), ("control-a", "p2")):
        changes = {"changes": [{"partner_id": partner, "effective_on": "2026-01-01"}]}
        assert (await client.post(f"/cohorts/{tag}/changes", json=changes, headers=admin)).status_code == 201
    await _project(
        uow_factory,
        [
            enrolled("p1", program_id="growth"),
            enrolled("p2", program_id="growth"),
            won("a1", "1000.00", date(2026, 2, 1), pid="p1"),  # 80.00 under the variant
            won("a2", "500.00", date(2026, 2, 10), pid="p1"),  # 40.00
            won("b1", "1000.00", date(2026, 2, 1), pid="p2"),  # 50.00 under the base program
            DealLost(partner_id="p2", deal_id="b2", lost_on=date(2026, 2, 20), reason="price"),
        ],
    )


async def test_a_pilot_applies_its_variant_to_the_cohort_and_reports_against_control(
    ledger_client, ledger_settings, uow_factory
):
    await _pilot_story(ledger_client, ledger_settings, uow_factory)
    reader = auth_header(ledger_settings, "ledger:read")
    report = (await ledger_client.get("/pilots/pilot-a/report?to=2026-03-31", headers=reader)).json()
    assert (report["cohort"]["partners"], report["control"]["partners"]) == (["p1"], ["p2"])
    assert report["cohort"]["metrics"] == [
        {
            "currency": "USD",
            "partners": 1,
            "won_deals": 2,
            "lost_deals": 0,
            "win_rate": "1.0000",
            "won_revenue": "1500.00",
            "reward_cost": "120.00",
            "reward_cost_per_revenue": "0.0800",
        }
    ]
    assert report["control"]["metrics"] == [
        {
            "currency": "USD",
            "partners": 1,
            "won_deals": 1,
            "lost_deals": 1,
            "win_rate": "0.5000",
            "won_revenue": "1000.00",
            "reward_cost": "50.00",
            "reward_cost_per_revenue": "0.0500",
        }
    ]
    entries = (await ledger_client.get("/entries?partner_id=p1&kind=rebate", headers=reader)).json()["items"]
    assert {(e["rule_id"], e["rule_version"]) for e in entries} == {("growth-pilot/rebate", 1)}
    members = (await ledger_client.get("/cohorts/pilot-a/members?on=2026-02-01", headers=reader)).json()
    assert members["members"] == ["p1"]

    # Managers only define pilots; partners read none of it.
    finance = auth_header(ledger_settings, "finance:write", "finance:read")
    again = {"pilot_id": "x", "base_program_id": "growth", "variant_program_id": "growth-pilot",
             "cohort_tag": "a", "control_tag": "b", "starts_on": "2026-01-01"}  # fmt: skip
    assert (await ledger_client.post("/pilots", json=again, headers=finance)).status_code == 403
    change = {"changes": [{"partner_id": "p2", "effective_on": "2026-01-01"}]}
    assert (await ledger_client.post("/cohorts/pilot-a/changes", json=change, headers=finance)).status_code == 403
    p1 = auth_header(ledger_settings, "partner:read", partner_id="p1")
    assert (await ledger_client.get("/pilots/pilot-a/report", headers=p1)).status_code == 403


async def test_a_simulation_reports_each_partners_difference_and_posts_nothing(
    ledger_client, ledger_settings, uow_factory
):
    await _pilot_story(ledger_client, ledger_settings, uow_factory)
    reader = auth_header(ledger_settings, "ledger:read")
    before = (await ledger_client.get("/entries?limit=500", headers=reader)).json()["items"]

    manager = auth_header(ledger_settings, "program:admin")
    body = {"program_id": "growth", "document": document("growth", "6"), "from": "2026-01-01", "to": "2026-03-31"}
    response = await ledger_client.post("/simulations", json=body, headers=manager)
    assert response.status_code == 201, response.text
    result = response.json()
    rows = {(p["partner_id"], p["currency"]): p for p in result["partners"]}
    # p2 (base program): 1000.00 x 6 % = 60.00 instead of 50.00; p1 stays on its pilot's variant.
    assert rows[("p2", "USD")]["actual"]["rewards"] == "50.00"
    assert rows[("p2", "USD")]["simulated"]["rewards"] == "60.00"
    assert rows[("p2", "USD")]["difference"]["rewards"] == "10.00"
    assert rows[("p1", "USD")]["difference"]["rewards"] == "0.00"
    for scopes in (("audit:read", "ledger:read"), ("finance:read",)):
        refused = await ledger_client.post("/simulations", json=body, headers=auth_header(ledger_settings, *scopes))
        assert refused.status_code == 403
    assert (await ledger_client.get("/entries?limit=500", headers=reader)).json()["items"] == before

    stored = (await ledger_client.get(f"/simulations/{result['simulation_id']}", headers=reader)).json()
    assert stored["partners"] == result["partners"]

    # A partner simulates its own history only, and reads only its own simulations.
    p2 = auth_header(ledger_settings, "partner:read", "partner:write", partner_id="p2")
    own = await ledger_client.post("/simulations", json={**body, "document": document("growth", "4")}, headers=p2)
    assert own.status_code == 201, own.text
    assert [(p["partner_id"], p["difference"]["rewards"]) for p in own.json()["partners"]] == [("p2", "-10.00")]
    foreign = await ledger_client.post("/simulations", json={**body, "partner_id": "p1"}, headers=p2)
    assert foreign.status_code == 404
    listed = (await ledger_client.get("/simulations", headers=p2)).json()["items"]
    assert [s["simulation_id"] for s in listed] == [own.json()["simulation_id"]]
    assert (await ledger_client.get(f"/simulations/{result['simulation_id']}", headers=p2)).status_code == 404

    # The pilot's variant, as a stored draft (10 %): only the cohort changes.
    draft = await ledger_client.post(
        "/programs/growth-pilot/versions",
        content=document("growth-pilot", "10"),
        headers=manager | {"Content-Type": "application/yaml"},
    )
    assert draft.status_code == 201
    variant = {"program_id": "growth-pilot", "version": 2}
    rows = (await ledger_client.post("/simulations", json=variant, headers=manager)).json()["partners"]
    assert {(p["partner_id"], p["difference"]["rewards"]) for p in rows} == {("p1", "30.00"), ("p2", "0.00")}
