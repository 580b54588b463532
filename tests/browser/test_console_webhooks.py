"""Outbound webhooks in the console, in headless Chromium over the demo: a partner subscribes in its
portal (the secret shown once), sees the delivery log of an event it caused and asks for a delivery
again, and deactivates the subscription; it never sees another partner's subscription or deliveries
(neither on the page nor through its forms). A manager does the same for a finance system's
subscription on the manager's page."""

from __future__ import annotations

import os
import time
import uuid
from typing import Any

import pytest
from servicekit.auth import SCOPES, mint_token
from servicekit.settings import DEV_TOKEN_SECRET

from .conftest import Stack
from .test_console import shoot, signed_in

pytestmark = pytest.mark.xdist_group("browser")
NOWHERE = "http://127.0.0.1:9/hooks"  # nothing listens: every delivery attempt fails, and is logged


def _partner_token(partner_id: str) -> str:
    secret = os.environ.get("LEDGER_TOKEN_SECRET", DEV_TOKEN_SECRET)
    scopes = sorted(s for s in SCOPES if s.startswith("partner:"))
    return mint_token(secret, subject=f"browser-{partner_id}", scopes=scopes, partner_id=partner_id, ttl_seconds=3600)


def _deliveries(stack: Stack, subscription_id: str, token: str) -> list[dict[str, Any]]:
    """The subscription's delivery log, once governance has offered it the event (its consumer runs behind)."""
    for _ in range(120):
        found = stack.get("governance", f"/subscriptions/{subscription_id}/deliveries", token=token)["items"]
        if found:
            return list(found)
        time.sleep(0.5)
    raise AssertionError(f"no delivery offered to {subscription_id}")


def test_a_partner_manages_only_its_own_webhooks_in_its_portal(browser: Any, stack: Stack) -> None:
    own = stack.manifest["partner"]
    other_id = next(p["partner_id"] for p in stack.manifest["partners"] if p["partner_id"] != own["partner_id"])
    other_token = _partner_token(other_id)
    status, theirs = stack.send("POST", "governance", "/subscriptions", {
        "subscription_id": f"sub-other-{uuid.uuid4().hex[:8]}", "partner_id": other_id, "url": NOWHERE,
        "event_types": ["governance.dispute_opened"]}, token=other_token)  # fmt: skip
    assert status == 201, theirs

    portal = signed_in(browser, stack, own["token"], "laptop")
    portal.goto(stack.url("insights", "/portal/webhooks"))
    form = portal.get_by_test_id("subscribe")
    form.locator("input[name=url]").fill(NOWHERE)
    form.locator("input[value='governance.dispute_opened']").check()
    form.locator("button[data-action=subscribe]").click()
    secret = portal.get_by_test_id("secret-value").inner_text()
    assert len(secret) >= 32
    subscription_id = portal.get_by_test_id("done").inner_text().split()[1]
    mine = stack.get("governance", "/subscriptions", token=own["token"])["items"]
    assert {s["subscription_id"] for s in mine} == {
        s["subscription_id"] for s in mine if s["partner_id"] == own["partner_id"]
    }
    assert subscription_id in {s["subscription_id"] for s in mine}
    assert all("secret" not in s for s in mine)
    portal.goto(stack.url("insights", "/portal/webhooks"))
    assert portal.get_by_test_id("secret").count() == 0  # shown once, never again
    listed = {portal.locator("[data-subscription]").nth(n).get_attribute("data-subscription")
              for n in range(portal.locator("[data-subscription]").count())}  # fmt: skip
    assert subscription_id in listed
    assert theirs["subscription_id"] not in listed
    assert theirs["subscription_id"] not in portal.content()

    # An event of its own (a dispute it opens) is offered to its subscription; the delivery fails and is logged.
    dispute = {"dispute_id": f"dsp-hook-{uuid.uuid4().hex[:8]}", "partner_id": own["partner_id"],
               "subject_kind": "statement_line", "subject_ref": "line-1", "description": "webhook check"}  # fmt: skip
    assert stack.send("POST", "governance", "/disputes", dispute, token=own["token"])[0] == 201
    delivery = _deliveries(stack, subscription_id, own["token"])[0]
    assert delivery["event_type"] == "governance.dispute_opened"
    portal.goto(stack.url("insights", "/portal/webhooks"))
    card = portal.locator(f"[data-subscription='{subscription_id}']")
    row = card.locator(f"tr[data-delivery='{delivery['delivery_id']}']")
    assert "governance.dispute_opened" in row.inner_text()
    row.locator("button[data-action=redeliver]").click()
    assert portal.get_by_test_id("done").inner_text() == f"Delivery {delivery['delivery_id']} queued again."
    shoot(portal, "partner-portal-webhooks", "laptop")

    # Another partner's subscription and deliveries stay out of reach: the API says 404, the forms say so.
    assert stack.send("DELETE", "governance", f"/subscriptions/{theirs['subscription_id']}", None,
                      token=own["token"])[0] == 404  # fmt: skip
    status, _ = stack.send("GET", "governance", f"/subscriptions/{theirs['subscription_id']}/deliveries", None,
                           token=own["token"])  # fmt: skip
    assert status == 404
    path = f"/portal/{own['partner_id']}/webhooks/subscriptions/{theirs['subscription_id']}/deactivation"
    answer = portal.request.post(stack.url("insights", path))
    assert answer.status == 200
    assert 'data-testid="error"' in answer.text()
    assert portal.request.post(stack.url("insights", f"/portal/{other_id}/webhooks/subscriptions"),
                               form={"url": NOWHERE}).status == 404  # fmt: skip
    assert stack.get("governance", "/subscriptions", token=other_token)["items"][0]["active"] is True

    card.locator("button[data-action=deactivate]").click()
    assert portal.get_by_test_id("done").inner_text() == f"Subscription {subscription_id} deactivated."
    assert "Inactive" in portal.locator(f"[data-subscription='{subscription_id}'] header").inner_text()
    assert portal.locator(f"[data-subscription='{subscription_id}'] button[data-action=deactivate]").count() == 0
    mine = {s["subscription_id"]: s for s in stack.get("governance", "/subscriptions", token=own["token"])["items"]}
    assert mine[subscription_id]["active"] is False
    portal.context.close()


def test_a_manager_manages_a_finance_systems_webhook_in_the_page(browser: Any, stack: Stack) -> None:
    manager = signed_in(browser, stack, stack.manifest["manager_token"], "laptop")
    manager.goto(stack.url("insights", "/console/webhooks"))
    form = manager.get_by_test_id("subscribe")
    form.locator("input[name=url]").fill("http://127.0.0.1:9/finance")
    form.locator("input[value='ledger.payout_settled']").check()
    form.locator("input[value='ledger.payout_failed']").check()
    form.locator("button[data-action=subscribe]").click()
    assert len(manager.get_by_test_id("secret-value").inner_text()) >= 32
    subscription_id = manager.get_by_test_id("done").inner_text().split()[1]
    found = {s["subscription_id"]: s for s in stack.get("governance", "/subscriptions?limit=200")["items"]}
    assert found[subscription_id]["partner_id"] is None
    assert found[subscription_id]["event_types"] == ["ledger.payout_settled", "ledger.payout_failed"]
    manager.goto(stack.url("insights", "/console/webhooks"))
    listed = manager.locator("[data-subscription]")
    ids = {listed.nth(n).get_attribute("data-subscription") for n in range(listed.count())}
    assert subscription_id in ids
    assert not ids & {s for s, v in found.items() if v["partner_id"] is not None}  # partners' stay in their portals
    shoot(manager, "manager-webhooks", "laptop")
    manager.locator(f"[data-subscription='{subscription_id}'] button[data-action=deactivate]").click()
    assert manager.get_by_test_id("done").inner_text() == f"Subscription {subscription_id} deactivated."
    after = {s["subscription_id"]: s for s in stack.get("governance", "/subscriptions?limit=200")["items"]}
    assert after[subscription_id]["active"] is False
    form = manager.get_by_test_id("subscribe")
    form.locator("input[name=url]").fill("http://127.0.0.1:9/finance")
    form.locator("button[data-action=subscribe]").click()  # no event type ticked
    assert manager.get_by_test_id("error").inner_text() == "Choose at least one event type."
    manager.context.close()
