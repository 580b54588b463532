"""Governance in the console, in headless Chromium over the demo: the partner opens a dispute in its
portal and the manager reviews and resolves it in the governance page (governance's API and the
partner's portal follow); the partner acknowledges an announced version and the manager sees who has
and who has not. Screenshots land in test-artifacts/screenshots/ like the other browser tests."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Stack
from .test_console import shoot, signed_in

pytestmark = pytest.mark.xdist_group("browser")


def test_a_dispute_opened_in_the_portal_is_resolved_by_the_manager_in_the_page(browser: Any, stack: Stack) -> None:
    own = stack.manifest["partner"]
    portal = signed_in(browser, stack, own["token"], "laptop")
    form = portal.get_by_test_id("open-dispute")
    form.locator("select[name=subject_kind]").select_option("missing_reward")
    form.locator("input[name=subject_ref]").fill("deal-missing-1")
    form.locator("textarea[name=description]").fill("The registration bonus of this win was never posted.")
    form.locator("input[name=amount]").fill("250.00")
    form.locator("button[data-action=open-dispute]").click()
    done = portal.get_by_test_id("done").inner_text()
    dispute_id = done.split()[1]
    assert done == f"Dispute {dispute_id} opened."
    assert portal.locator(f"[data-testid=partner-disputes] tr[data-dispute='{dispute_id}']").count() == 1
    shoot(portal, "partner-portal-dispute-opened", "laptop")

    manager = signed_in(browser, stack, stack.manifest["manager_token"], "laptop")
    manager.goto(stack.url("insights", "/console/governance"))
    card = manager.locator(f"article[data-dispute='{dispute_id}']")
    assert "Open" in card.inner_text()
    card.locator("button[data-action=review]").click()
    assert manager.get_by_test_id("done").inner_text() == f"{dispute_id}: review recorded."
    card = manager.locator(f"article[data-dispute='{dispute_id}']")
    assert card.locator("input[name=amount]").input_value() == "250.00"  # the claimed amount, offered
    card.locator("input[aria-label='reason for resolving']").fill("The bonus was missed by the import.")
    card.locator("button[data-action=resolve]").click()
    assert manager.get_by_test_id("done").inner_text() == f"{dispute_id}: resolve recorded."
    shoot(manager, "manager-governance-after-resolution", "laptop")

    dispute = stack.get("governance", f"/disputes/{dispute_id}")
    assert dispute["status"] == "resolved"
    assert dispute["compensation"] == {"amount": "250.00", "currency": "USD"}
    outcome = manager.locator(f"article[data-dispute='{dispute_id}'] [data-testid=outcome]").inner_text()
    assert "USD 250.00" in outcome
    assert "The bonus was missed by the import." in outcome

    portal.goto(stack.url("insights", "/portal"))
    row = portal.locator(f"[data-testid=partner-disputes] tr[data-dispute='{dispute_id}']").inner_text()
    assert "Resolved" in row
    assert "USD 250.00" in row
    manager.context.close()
    portal.context.close()


def test_the_partner_acknowledges_a_notice_and_the_manager_sees_who_has(browser: Any, stack: Stack) -> None:
    own = stack.manifest["partner"]
    notices = stack.get("ledger", f"/partners/{own['partner_id']}/notices", token=own["token"])["items"]
    assert notices, "the demo announces a version"
    notice = notices[0]
    portal = signed_in(browser, stack, own["token"], "laptop")
    article = portal.locator(f"[data-testid=notices] article[data-version='{notice['version']}']")
    if not notice["acknowledgement"]:
        article.locator("button[data-action=acknowledge]").click()
        assert portal.get_by_test_id("done").inner_text() == f"Version {notice['version']} acknowledged."
        article = portal.locator(f"[data-testid=notices] article[data-version='{notice['version']}']")
    assert "Acknowledged by" in article.get_by_test_id("acknowledged").inner_text()
    assert article.locator("button[data-action=acknowledge]").count() == 0
    shoot(portal, "partner-portal-notice-acknowledged", "laptop")
    handbook = portal.request.get(stack.url("insights", f"/portal/handbook?format=pdf&version={notice['version']}"))
    assert handbook.status == 200
    assert handbook.body().startswith(b"%PDF")

    manager = signed_in(browser, stack, stack.manifest["manager_token"], "laptop")
    manager.goto(stack.url("insights", f"/console/governance?program={notice['program_id']}"))
    card = manager.locator(f"[data-testid=notices] article[data-version='{notice['version']}']")
    assert own["partner_id"] in card.get_by_test_id("acknowledged").inner_text()
    assert own["partner_id"] not in card.get_by_test_id("not-acknowledged").inner_text()
    others = [p["partner_id"] for p in stack.manifest["partners"] if p["partner_id"] != own["partner_id"]]
    assert any(o in card.get_by_test_id("not-acknowledged").inner_text() for o in others)
    shoot(manager, "manager-governance", "laptop")
    bad = ("/console/governance?period=2026-Q9&status=zz&program=%00", "/portal/handbook?version=0",
           "/console/partners/nobody")  # fmt: skip
    for path in bad:
        assert manager.goto(stack.url("insights", path)).status < 500, path
    for path, form in (("/console/disputes/nobody/resolve", {"amount": "x"}),
                       ("/console/audits/2026-Q9/items/deal/x/fail", {}),
                       ("/console/proposals/nobody/answers", {"status": "maybe"})):  # fmt: skip
        assert manager.request.post(stack.url("insights", path), form=form).status < 500, path
    manager.context.close()
    portal.context.close()


def test_a_partner_proposal_is_answered_by_the_manager_and_the_partner_reads_the_answer(
    browser: Any, stack: Stack
) -> None:
    own = stack.manifest["partner"]
    portal = signed_in(browser, stack, own["token"], "laptop")
    form = portal.get_by_test_id("proposals")
    form.locator("input[name=title]").fill("Quarterly MDF top-ups")
    form.locator("textarea[name=text]").fill("Let unused MDF of a quarter roll into the next one.")
    form.locator("button[data-action=propose]").click()
    assert portal.get_by_test_id("done").inner_text() == "Proposal Quarterly MDF top-ups submitted."
    mine = stack.get("governance", f"/proposals?partner_id={own['partner_id']}", token=own["token"])["items"]
    proposal = next(p for p in mine if p["title"] == "Quarterly MDF top-ups")
    assert (proposal["partner_id"], proposal["status"]) == (own["partner_id"], "submitted")
    article = portal.locator(f"[data-testid=proposals] article[data-proposal='{proposal['proposal_id']}']")
    assert "Not answered yet" in article.inner_text()

    manager = signed_in(browser, stack, stack.manifest["manager_token"], "laptop")
    manager.goto(stack.url("insights", f"/console/governance?program={proposal['program_id']}"))
    card = manager.locator(f"[data-testid=proposals] article[data-proposal='{proposal['proposal_id']}']")
    card.locator("select[name=status]").select_option("accepted")
    card.locator("input[name=answer]").fill("Accepted for next year's program.")
    card.locator("button[data-action=answer]").click()
    assert manager.get_by_test_id("done").inner_text() == f"{proposal['proposal_id']}: answered."
    card = manager.locator(f"[data-testid=proposals] article[data-proposal='{proposal['proposal_id']}']")
    assert "Accepted for next year's program." in card.get_by_test_id("answer").inner_text()
    assert card.locator("button[data-action=answer]").count() == 0  # accepted is final
    assert stack.get("governance", f"/proposals/{proposal['proposal_id']}")["status"] == "accepted"

    portal.goto(stack.url("insights", "/portal"))
    article = portal.locator(f"[data-testid=proposals] article[data-proposal='{proposal['proposal_id']}']")
    assert "Accepted by" in article.get_by_test_id("answer").inner_text()
    assert "Accepted for next year's program." in article.inner_text()
    shoot(portal, "partner-portal-proposal-answered", "laptop")
    manager.context.close()
    portal.context.close()


def test_the_manager_draws_a_spot_audit_and_confirms_and_fails_its_items(browser: Any, stack: Stack) -> None:
    # Two complete quarters (their wins and claims are the population), each drawn at the program's
    # rate (5 %, at least one item); the first quarter's item is confirmed, the second's failed.
    manager = signed_in(browser, stack, stack.manifest["manager_token"], "laptop")
    decided = []
    for period, decision in ((stack.manifest["quarters"][-2], "confirm"), (stack.manifest["quarters"][-3], "fail")):
        manager.goto(stack.url("insights", f"/console/governance?period={period}"))
        assert "No sample drawn" in manager.get_by_test_id("audit-queue").inner_text()
        manager.get_by_test_id("draw-audit").locator("button[data-action=draw]").click()
        assert manager.get_by_test_id("done").inner_text() == f"{period}: sample drawn."
        audit = stack.get("governance", f"/audits/{period}")
        assert audit["items"], audit
        assert audit["rate"] in ("0.05", "0.0500"), audit
        assert "5" in manager.get_by_test_id("audit-drawn").inner_text()
        assert manager.get_by_test_id("draw-audit").count() == 0
        item = audit["items"][0]
        row = manager.locator(f"[data-testid=audit-queue] tr[data-item='{item['item_id']}']")
        if decision == "fail":
            row.locator("input[aria-label='reason for failing']").fill("No proof of the customer's purchase order.")
        row.locator(f"button[data-action={decision}]").click()
        done = manager.get_by_test_id("done").inner_text()
        assert done == f"{item['item_kind']} {item['item_id']}: {decision} recorded."
        decided.append((period, item["item_id"]))
    (confirmed_period, confirmed), (failed_period, failed) = decided
    assert {i["item_id"]: i for i in stack.get("governance", f"/audits/{confirmed_period}")["items"]}[confirmed][
        "status"] == "confirmed"  # fmt: skip
    item = {i["item_id"]: i for i in stack.get("governance", f"/audits/{failed_period}")["items"]}[failed]
    assert (item["status"], item["note"]) == ("failed", "No proof of the customer's purchase order.")
    assert "No proof of the customer" in manager.locator(
        f"[data-testid=audit-queue] tr[data-item='{failed}']").inner_text()  # fmt: skip
    shoot(manager, "manager-spot-audit", "laptop")
    manager.context.close()


def test_the_demo_partner_holds_benefits_and_its_plan_shows_held_and_missed_rituals(browser: Any, stack: Stack) -> None:
    own = stack.manifest["partner"]
    portal = signed_in(browser, stack, own["token"], "laptop")
    held = portal.get_by_test_id("benefits").inner_text()
    assert "Certified status" in held  # committed-partner, earned by the demo's recorded engagement
    totals = portal.get_by_test_id("cadence-totals").inner_text()
    assert "0 held on time" not in totals
    assert "1 missed" in totals  # the joint campaign nobody recorded
    # The announced edition raises a commitment minimum and the spot-audit rate: the notice says both.
    notice = portal.locator("[data-testid=notices] article").first.inner_text()
    assert "is raised from 20 engagement points to 25 engagement points" in notice
    assert "The spot-audit rate rises from 5 % to 8 %" in notice
    shoot(portal, "partner-portal-benefits-and-plan", "laptop")
    portal.context.close()
