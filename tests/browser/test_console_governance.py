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
