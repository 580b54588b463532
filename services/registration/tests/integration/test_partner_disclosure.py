"""What a partner learns about other partners through the API (issue 13, defect 2): that a conflict
exists (its kind and count), never whose; never that an id it chose belongs to another partner; a role,
never a staff member's name."""

from __future__ import annotations

from servicekit.viewer import STAFF_ROLE

from .helpers import deal_body, enroll, manager, partner_token, register


async def test_a_conflicting_partner_learns_the_kind_and_count_never_the_rivals_ids(
    registration_client, registration_settings
):
    client, settings = registration_client, registration_settings
    await enroll(client, settings, "p1", "p2")
    await register(client, settings, "rival-of-p2", "p1")
    mine = await client.post("/deals", json=deal_body("mine", "p2"), headers=partner_token(settings, "p2"))
    assert mine.status_code == 201, mine.text
    shown = mine.json()
    assert (shown["status"], shown["conflict_kind"], shown["conflict_count"]) == ("conflict", "channel_conflict", 1)
    assert shown["conflicts_with"] == []
    assert "rival-of-p2" not in mine.text

    bulk = await client.post(
        "/deals/bulk", json={"deals": [deal_body("mine-2", "p2")]}, headers=partner_token(settings, "p2")
    )
    assert bulk.status_code == 201, bulk.text
    assert bulk.json()["deals"][0]["conflict_count"] == 1
    assert "rival-of-p2" not in bulk.text

    detail = await client.get("/deals/mine", headers=partner_token(settings, "p2"))
    assert detail.status_code == 200
    assert "rival-of-p2" not in detail.text  # not in the history's deal.conflicted either
    staff = (await client.get("/deals/mine", headers=manager(settings))).json()
    assert staff["conflicts_with"] == ["rival-of-p2"]  # staff see the rivals

    awarded = await client.post("/deals/mine/award", json={"note": "signed with p2"}, headers=manager(settings))
    assert awarded.status_code == 200, awarded.text
    loser = await client.get("/deals/rival-of-p2", headers=partner_token(settings, "p1"))
    assert loser.json()["rejection_reason"] == "conflict awarded to another registration"
    assert '"mine"' not in loser.text
    assert "deal mine" not in loser.text
    assert "signed with p2" not in loser.text
    assert STAFF_ROLE in {h["actor"] for h in loser.json()["history"]}
    assert "manager:jo" not in loser.text


async def test_an_id_another_partner_holds_answers_as_any_unavailable_id(registration_client, registration_settings):
    client, settings = registration_client, registration_settings
    await enroll(client, settings, "p1", "p2")
    await register(client, settings, "taken-by-p1", "p1")
    own = await client.post(
        "/deals", json=deal_body("own", "p2", customer_name="Initech"), headers=partner_token(settings, "p2")
    )
    assert own.status_code == 201, own.text

    theirs = await client.post(
        "/deals", json=deal_body("taken-by-p1", "p2", customer_name="Hooli"), headers=partner_token(settings, "p2")
    )
    again = await client.post(
        "/deals", json=deal_body("own", "p2", customer_name="Hooli"), headers=partner_token(settings, "p2")
    )
    assert theirs.status_code == again.status_code == 409
    assert theirs.json() | {"instance": None} == again.json() | {"instance": None}
    assert "p1" not in theirs.text
    assert "already registered" not in theirs.text

    staff = await client.post("/deals", json=deal_body("taken-by-p1", "p2"), headers=manager(settings))
    assert staff.status_code == 409
    assert "already registered" in staff.json()["detail"]


async def test_partners_see_a_role_for_staff_and_names_for_their_own_users(registration_client, registration_settings):
    client, settings = registration_client, registration_settings
    await enroll(client, settings, "p1")
    await client.post("/deals", json=deal_body("d1", "p1"), headers=partner_token(settings, "p1"))
    await client.post("/deals/d1/stage", json={"stage": "qualified"}, headers=manager(settings))
    seen = await client.get("/deals/d1", headers=partner_token(settings, "p1"))
    actors = [h["actor"] for h in seen.json()["history"]]
    assert actors[0] == "partner:p1:user@p1"
    assert STAFF_ROLE in actors
    assert "manager:jo" not in seen.text
    staff = await client.get("/deals/d1", headers=manager(settings))
    assert "manager:jo" in [h["actor"] for h in staff.json()["history"]]
