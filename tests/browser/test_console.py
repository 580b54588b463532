"""The console in headless Chromium over the demo data: the manager's overview, a partner page, the
cohort comparison, the ROI table and the anomaly queue, and the partner's portal. Each figure checked
on a page is read from the same API the page uses and formatted here; one flag is cleared and another
confirmed through the page, and the ledger follows (the held rebate becomes payable, or is reversed).
Screenshots of every page at a laptop and a phone width land in test-artifacts/screenshots/."""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

import pytest

from .conftest import SCREENSHOTS, Stack

pytestmark = pytest.mark.xdist_group("browser")
WIDTHS = {"laptop": (1366, 900), "phone": (390, 844)}
T = TypeVar("T")


def eventually(probe: Callable[[], T | None], what: str, timeout: float = 120) -> T:
    """Poll until the asynchronous side (consumers, projector) shows the outcome; fail saying what is missing."""
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"still waiting for {what}")
        time.sleep(0.25)


def money(value: dict[str, str]) -> str:
    """The console's way of showing Money, worked out here from the API's decimal string."""
    return f"{value['currency']} {Decimal(value['amount']):,.2f}"


def signed_in(browser: Any, stack: Stack, token: str, width: str) -> Any:
    context = browser.new_context(viewport=dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    page = context.new_page()
    page.goto(stack.url("insights", "/sign-in"))
    page.fill("#token", token)
    page.click("button[type=submit]")
    return page


def shoot(page: Any, name: str, width: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)


@pytest.fixture(scope="module")
def ready(stack: Stack) -> Stack:
    """The demo as insights shows it: the flagged wins in the queue with their held rebates, indicators fed."""
    flagged = [d for d in stack.manifest["flagged_deals"] if "-flag" in d]

    def queue() -> list[dict[str, Any]] | None:
        items = stack.get("insights", "/anomalies?status=open&limit=100")["items"]
        held = [i for i in items if i["deal_id"] in flagged and i["held"]]
        return items if len(held) == len(flagged) else None

    eventually(queue, "the flagged wins in the anomaly queue with their held amounts")
    eventually(lambda: Decimal(stack.get("insights", "/indicators")["items"][-1]["won_revenue"]["amount"]) > 0,
               "won revenue in the program's indicators")  # fmt: skip
    return stack


def _manager_pages(stack: Stack, partner_id: str) -> dict[str, str]:
    return {
        "overview": "/", "partners": "/console/partners", "partner": f"/console/partners/{partner_id}",
        "cohorts": "/console/cohorts?by=tier", "roi": "/console/roi", "anomalies": "/console/anomalies",
        "finance": "/console/finance",
    }  # fmt: skip


@pytest.mark.parametrize("width", list(WIDTHS))
def test_manager_pages_show_the_apis_figures(browser: Any, ready: Stack, width: str) -> None:
    stack = ready
    partner_id = stack.manifest["partners"][0]["partner_id"]
    page = signed_in(browser, stack, stack.manifest["manager_token"], width)
    for name, path in _manager_pages(stack, partner_id).items():
        response = page.goto(stack.url("insights", path))
        assert response.status == 200, f"{path}: {response.status}"
        shoot(page, f"manager-{name}", width)

    series = stack.get("insights", "/indicators")["items"]
    page.goto(stack.url("insights", "/"))
    assert page.get_by_test_id("kpi-won").inner_text().split("\n")[1] == money(series[-1]["won_revenue"])
    assert page.get_by_test_id("kpi-pipeline").inner_text().split("\n")[1] == money(series[-1]["pipeline"]["total"])
    assert page.locator("canvas[data-drawn=true]").count() >= 1
    alerts = stack.get("insights", "/alerts?status=open&limit=8")["items"]
    assert page.locator("[data-testid=alerts] li").count() == max(len(alerts), 1)

    balances = stack.get("ledger", f"/partners/{partner_id}/balances")["totals"]
    rewards = next(t for t in balances if t["fund"] == "rewards")
    page.goto(stack.url("insights", f"/console/partners/{partner_id}"))
    cur = rewards["currency"]
    payable = {"amount": rewards["available"], "currency": cur}
    assert page.get_by_test_id(f"payable-{cur}").inner_text().split("\n")[1] == money(payable)
    open_deals = stack.get("insights", f"/partners/{partner_id}/pipeline?limit=200")["items"]
    assert page.locator("[data-testid=pipeline] li[data-deal]").count() == min(len(open_deals), 48)

    cohorts = stack.get("insights", "/cohorts?by=tier")["items"]
    page.goto(stack.url("insights", "/console/cohorts?by=tier"))
    for row in cohorts:
        cell = page.locator(f"tr[data-cohort='{row['cohort']}'] [data-testid=cohort-won]")
        assert cell.inner_text() == money(row["indicators"]["won_revenue"])

    roi = stack.get("insights", "/roi?currency=USD&limit=500")["items"]
    page.goto(stack.url("insights", "/console/roi"))
    assert page.locator("[data-testid=roi-table] tbody tr").count() == max(len(roi), 1)
    if roi:
        assert money(roi[0]["cost"]) in page.locator("[data-testid=roi-table] tbody tr").first.inner_text()
    page.context.close()


def _held(stack: Stack, partner_id: str) -> Decimal:
    totals = stack.get("ledger", f"/partners/{partner_id}/balances")["totals"]
    return sum((Decimal(t["held"]) for t in totals if t["fund"] == "rewards"), Decimal(0))


def test_clearing_and_confirming_flags_through_the_page_moves_the_ledger(browser: Any, ready: Stack) -> None:
    stack = ready
    queue = stack.get("insights", "/anomalies?status=open&limit=100")["items"]
    flagged = [i for i in queue if "-flag" in i["deal_id"] and i["held"]]
    assert len(flagged) >= 2, "the demo slice holds two flagged wins"
    to_clear, to_confirm = flagged[0], flagged[1]
    held_before = {i["partner_id"]: _held(stack, i["partner_id"]) for i in (to_clear, to_confirm)}
    assert all(v > 0 for v in held_before.values())

    page = signed_in(browser, stack, stack.manifest["manager_token"], "laptop")
    page.goto(stack.url("insights", "/console/anomalies"))
    card = page.locator(f"article[data-deal='{to_clear['deal_id']}']")
    expected_held = to_clear["held"][0]["rebates"]
    assert money(expected_held) in card.get_by_test_id("held").inner_text()
    card.locator("button[data-action=clear]").click()
    assert "cleared" in page.get_by_test_id("done").inner_text()

    card = page.locator(f"article[data-deal='{to_confirm['deal_id']}']")
    card.locator("input[name=note]").nth(1).fill("customer is the partner's own subsidiary")
    card.locator("button[data-action=confirm]").click()
    assert "confirmed" in page.get_by_test_id("done").inner_text()
    shoot(page, "manager-anomalies-after-decisions", "laptop")

    cleared_pid, confirmed_pid = to_clear["partner_id"], to_confirm["partner_id"]
    eventually(lambda: _held(stack, cleared_pid) == 0, "the ledger releasing the cleared deal's held rebate")
    eventually(lambda: _held(stack, confirmed_pid) == 0, "the ledger reversing the confirmed deal's held rebate")
    entries = stack.get("ledger", f"/entries?deal_id={to_confirm['deal_id']}&limit=50")["items"]
    assert any(e.get("reverses") for e in entries), "the confirmed deal's rewards are reversed in the journal"
    deal = stack.get("registration", f"/deals/{to_confirm['deal_id']}")
    assert deal["status"] == "rejected"

    def queue_follows() -> bool:
        cleared = {i["deal_id"] for i in stack.get("insights", "/anomalies?status=cleared&limit=100")["items"]}
        confirmed = {i["deal_id"] for i in stack.get("insights", "/anomalies?status=confirmed&limit=100")["items"]}
        return to_clear["deal_id"] in cleared and to_confirm["deal_id"] in confirmed

    eventually(queue_follows, "the queue showing both decisions")
    page.goto(stack.url("insights", f"/console/partners/{cleared_pid}"))
    cur = to_clear["held"][0]["rebates"]["currency"]
    assert page.get_by_test_id(f"held-{cur}").inner_text().split("\n")[1] == money({"amount": "0", "currency": cur})
    page.context.close()


@pytest.mark.parametrize("width", list(WIDTHS))
def test_partner_portal_shows_only_its_own_partner(browser: Any, ready: Stack, width: str) -> None:
    stack = ready
    own = stack.manifest["partner"]
    others = [p for p in stack.manifest["partners"] if p["partner_id"] != own["partner_id"]]
    page = signed_in(browser, stack, own["token"], width)
    assert page.url.endswith("/portal")
    shoot(page, "partner-portal", width)
    text = page.locator("main").inner_text()
    assert all(o["name"] not in text and o["partner_id"] not in text for o in others)
    totals = stack.get("ledger", f"/partners/{own['partner_id']}/balances", token=own["token"])["totals"]
    rewards = next(t for t in totals if t["fund"] == "rewards")
    shown = page.get_by_test_id(f"payable-{rewards['currency']}").inner_text().split("\n")[1]
    assert shown == money({"amount": rewards["available"], "currency": rewards["currency"]})
    assert page.get_by_test_id("rules").inner_text().count("Announced") >= 1
    assert "Platinum" in page.get_by_test_id("rules").inner_text()
    for path in (f"/console/partners/{others[0]['partner_id']}", "/console/anomalies", "/"):
        response = page.goto(stack.url("insights", path))
        assert response.status == 403, f"{path} is not for partners"
        assert others[0]["name"] not in page.locator("main").inner_text()
        assert page.get_by_role("link", name="Partner portal").count() == 1
    page.context.close()


def test_pages_never_answer_5xx_to_bad_input(browser: Any, ready: Stack) -> None:
    stack = ready
    page = signed_in(browser, stack, stack.manifest["manager_token"], "laptop")
    bad = ("/?period=2026-Q9&currency=usd", "/console/partners/%00", "/console/partners/nobody",
           "/console/cohorts?by=nonsense&period=x", "/console/roi?start=1&end=%FF", "/console/finance?batch=zz",
           "/console/partners?cursor=garbage", "/static/../../etc/passwd", "/console/anomalies?status=x")  # fmt: skip
    for path in bad:
        response = page.goto(stack.url("insights", path))
        assert response.status < 500, f"{path}: {response.status}"
    response = page.request.post(stack.url("insights", "/console/anomalies/nobody/flags/self_dealing/confirm"),
                                 form={"note": ""})  # fmt: skip
    assert response.status < 500
    page.context.close()
    anonymous = browser.new_page()
    response = anonymous.goto(stack.url("insights", "/console/partners"))
    assert response.status == 401
    assert anonymous.locator("form[action='/sign-in'] textarea#token").count() == 1
    response = anonymous.request.post(stack.url("insights", "/sign-in"), form={"token": "not-a-token"})
    assert response.status == 401
    anonymous.close()
