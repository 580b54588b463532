"""Joint partner plans in the console, in headless Chromium over the demo: the manager writes a plan's
content, signs it for the vendor, changes the signed version (which becomes the next version, to be
signed again), records a held activity and sees the cadence and progress; the partner reads the plan in
its portal and signs its side; the manager carries the plan into the next year. Governance's API is
asked after each step: the page did what it says."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from .conftest import Stack
from .test_console import shoot, signed_in

pytestmark = pytest.mark.xdist_group("browser")


def _this_years_plan(stack: Stack, partner_id: str, year: int) -> dict[str, Any]:
    """The partner's plan of this year (onboarding drafts one for the enrolment year only)."""
    found = stack.get("governance", f"/plans?partner_id={partner_id}&year={year}")["items"]
    if found:
        return dict(found[0])
    status, plan = stack.send("POST", "governance", "/plans", {"plan_id": f"jp-{partner_id}-{year}"[:60],
                                                               "partner_id": partner_id, "year": year})  # fmt: skip
    assert status == 201, plan
    return dict(plan)


def test_a_plan_is_written_signed_revised_held_and_extended_from_the_pages(browser: Any, stack: Stack) -> None:
    own = stack.manifest["partner"]
    today = date.today()
    plan = _this_years_plan(stack, own["partner_id"], today.year)
    plan_id = plan["plan_id"]
    held_due = max(date(today.year, 1, 1), today - timedelta(days=10))
    later = min(date(today.year, 12, 31), today + timedelta(days=20))
    manager = signed_in(browser, stack, stack.manifest["manager_token"], "laptop")
    manager.goto(stack.url("insights", f"/console/governance/plans?partner={own['partner_id']}"))
    assert manager.locator(f"[data-testid=plans] tr[data-plan='{plan_id}']").count() == 1
    manager.goto(stack.url("insights", f"/console/governance/plans?plan={plan_id}"))
    edit = manager.get_by_test_id("plan-edit")
    edit.locator("textarea[name=target_segments]").fill("Mid-market healthcare\nRegional banks")
    edit.locator("textarea[name=value_propositions]").fill("Managed security in a week")
    edit.locator("textarea[name=co_branded_materials]").fill("Joint datasheet")
    edit.locator("textarea[name=activities]").fill(
        f"qbr-1 | qbr | First QBR | Partner lead | Channel manager | {held_due}\n"
        f"camp-1 | campaign | Launch campaign | Partner marketing | Field marketing | {later}"
    )
    edit.locator("textarea[name=criteria]").fill("wins | wins | 5 | Five wins this year")
    edit.locator("button[data-action=save-plan]").click()
    version = int(plan["plan_version"]) + (1 if plan["signatures"] else 0)
    assert manager.get_by_test_id("done").inner_text() == f"{plan_id}: version {version} saved."
    saved = stack.get("governance", f"/plans/{plan_id}")
    assert [a["activity_id"] for a in saved["content"]["activities"]] == ["qbr-1", "camp-1"]
    assert saved["content"]["target_segments"] == ["Mid-market healthcare", "Regional banks"]
    assert manager.locator("[data-testid=criteria] tr[data-criterion=wins]").count() == 1

    manager.locator("button[data-action=sign]").click()
    assert manager.get_by_test_id("done").inner_text() == f"{plan_id}: version {version} signed for the vendor."
    assert stack.get("governance", f"/plans/{plan_id}")["status"] == "partly_signed"
    assert "Vendor by" in manager.get_by_test_id("signatures").inner_text()
    # Changing the signed version makes the next one, signed by nobody yet.
    manager.get_by_test_id("plan-edit").locator("textarea[name=co_branded_materials]").fill(
        "Joint datasheet\nDemo video"
    )
    manager.get_by_test_id("plan-edit").locator("button[data-action=save-plan]").click()
    assert manager.get_by_test_id("done").inner_text() == f"{plan_id}: version {version + 1} saved."
    revised = stack.get("governance", f"/plans/{plan_id}")
    assert (revised["plan_version"], revised["status"], revised["signatures"]) == (version + 1, "draft", [])
    assert "nobody yet" in manager.get_by_test_id("signatures").inner_text()
    manager.locator("button[data-action=sign]").click()
    assert manager.get_by_test_id("done").inner_text() == f"{plan_id}: version {version + 1} signed for the vendor."

    row = manager.locator("[data-testid=cadence] tr[data-activity='qbr-1']")
    row.locator("input[name=completed_on]").fill(str(held_due))
    row.locator("button[data-action=complete]").click()
    assert manager.get_by_test_id("done").inner_text() == "qbr-1: held."
    assert "1 held on time" in manager.get_by_test_id("cadence-totals").inner_text()
    cadence = {c["activity_id"]: c for c in stack.get("governance", f"/plans/{plan_id}")["cadence"]}
    assert cadence["qbr-1"]["completed_on"] == str(held_due)
    assert cadence["camp-1"]["completed_on"] is None
    shoot(manager, "manager-joint-plan", "laptop")

    portal = signed_in(browser, stack, own["token"], "laptop")
    section = portal.get_by_test_id("plan")
    assert "Mid-market healthcare" in section.get_by_test_id("plan-content").inner_text()
    assert "1 held on time" in section.get_by_test_id("cadence-totals").inner_text()
    assert portal.locator("[data-testid=plan] form").count() == 0  # read-only for the partner
    portal.locator("button[data-action=sign-plan]").click()
    assert portal.get_by_test_id("done").inner_text() == f"Plan {plan_id} version {version + 1} signed."
    assert "signed for" in portal.get_by_test_id("partner-signed").inner_text()
    assert stack.get("governance", f"/plans/{plan_id}")["status"] == "signed"
    shoot(portal, "partner-portal-plan-signed", "laptop")

    manager.goto(stack.url("insights", f"/console/governance/plans?plan={plan_id}"))
    assert manager.locator("button[data-action=sign]").count() == 0  # the vendor signed this version
    manager.locator("button[data-action=extend]").click()
    done = manager.get_by_test_id("done").inner_text()
    assert done.startswith(f"{plan_id}: extended into {today.year + 1} as ")
    next_id = done.removesuffix(".").rsplit(" ", 1)[-1]
    extended = stack.get("governance", f"/plans/{next_id}")
    assert (extended["year"], extended["status"], extended["partner_id"]) == (
        today.year + 1,
        "draft",
        own["partner_id"],
    )
    assert [a["activity_id"] for a in extended["content"]["activities"]] == ["qbr-1", "camp-1"]
    assert manager.locator(f"[data-testid=plans] tr[data-plan='{next_id}']").count() == 1

    content = f"/console/plans/{plan_id}/content"
    bad = manager.request.post(stack.url("insights", content), form={"form_id": "0" * 16, "activities": "x | y"})
    assert bad.status == 200
    assert "Activity line 1: write id" in bad.text()
    refused = (
        (f"/console/plans/{plan_id}/signatures", {"plan_version": "999"}),
        ("/console/plans/nobody/extend", {"year": "2026"}),
        (f"/console/plans/{plan_id}/activities/none/completion", {"completed_on": "2020-01-01"}),
        (content, {"activities": ""}),  # no form id: a stale form
    )
    for path, form in refused:
        answer = manager.request.post(stack.url("insights", path), form=form)
        assert answer.status == 200, path
        assert 'data-testid="error"' in answer.text(), path
    manager.context.close()
    portal.context.close()
