"""The governance side of the demo: one partner's joint plan with a few activities (held through the
rituals the partner records, one missed, one ahead) and commitment benefits earned from real activity.

Nothing is written to governance's tables: the plan goes through the plans API, the rituals and the
certification are engagement events recorded at registration (governance's consumer completes the
matching plan activities and evaluates the partner), and the daily evaluation run grants every other
partner whose activity reaches the default program's commitment minimums.
"""

from __future__ import annotations

import asyncio
import time
from datetime import date, timedelta

import httpx
from calls import Api, DemoError
from plan import Partner, Plan

# (activity id, kind, title, days from today it is due); the engagement that holds it, days from today.
ACTIVITIES = (
    ("qbr-review", "qbr", "Quarterly business review", -50),
    ("enablement-sales", "enablement", "Sales enablement for the new product line", -25),
    ("campaign-launch", "campaign", "Joint launch campaign", -10),  # no joint marketing recorded: missed
    ("qbr-next", "qbr", "Next quarterly business review", 40),
)
RITUALS = (
    ("quarterly_business_review", -52),  # holds qbr-review, on time
    ("enablement_session", -27),  # holds enablement-sales, on time
    ("certification", -20),  # not a ritual: counts for the committed-partner rule
    ("joint_business_plan", -12),
)


def showcase_partner(plan: Plan) -> Partner:
    """The partner the manifest hands out a token for (the first gold one)."""
    return next((p for p in plan.partners if p.profile == "gold"), plan.partners[0])


def _within(day: date, year: int) -> date:
    return min(max(day, date(year, 1, 1)), date(year, 12, 31))


async def load_joint_plan(governance: Api, plan: Plan) -> str:
    """This year's joint plan of the showcase partner with four activities: the onboarding plan when
    the partner joined this year (its content revised), else a new plan for the year."""
    partner, today = showcase_partner(plan), plan.today
    year = (today + timedelta(days=ACTIVITIES[0][3])).year
    content = {
        "target_segments": ["Mid-market manufacturing"],
        "value_propositions": ["Faster onboarding with the partner's implementation services"],
        "activities": [
            {"activity_id": activity_id, "kind": kind, "title": title, "partner_owner": f"{partner.name} lead",
             "vendor_owner": "Channel manager", "due_on": str(_within(today + timedelta(days=days), year))}
            for activity_id, kind, title, days in ACTIVITIES
        ],
        "criteria": [{"criterion_id": "rituals", "metric": "rituals_held", "target": "3",
                      "description": "Joint activities held this year"}],
    }  # fmt: skip
    found = await governance.call("GET", f"/plans?partner_id={partner.partner_id}&year={year}")
    existing = found.json().get("items", [])
    if existing:
        plan_id = str(existing[0]["plan_id"])
        await governance.call("PUT", f"/plans/{plan_id}/content", content, key=f"plan-content-{plan_id}")
        return plan_id
    plan_id = f"plan-{partner.partner_id}-{year}"
    body = {"plan_id": plan_id, "partner_id": partner.partner_id, "year": year, **content}
    await governance.call("POST", "/plans", body, key=f"plan-{plan_id}")
    return plan_id


async def load_rituals(registration: Api, plan: Plan) -> None:
    """The showcase partner's recent engagement, recorded as it happened (registration's API)."""
    partner, today = showcase_partner(plan), plan.today
    for kind, days in RITUALS:
        day = max(partner.enrolled_on, today + timedelta(days=days))
        body = {"partner_id": partner.partner_id, "kind": kind, "occurred_on": str(day),
                "evidence_ref": f"crm://{partner.partner_id}/governance-demo/{kind}/{day}"}  # fmt: skip
        await registration.call("POST", "/engagements", body, key=f"eng-governance-{partner.partner_id}-{kind}-{day}")


async def load_benefits(governance: Api, plan: Plan, patience: float = 120.0) -> int:
    """Wait until governance has granted the showcase partner's benefits (its consumer evaluates the
    partner as the engagement arrives), then run the daily evaluation for every partner; how many
    benefits the showcase partner holds."""
    partner = showcase_partner(plan)
    deadline = time.monotonic() + patience
    held: list[object] = []
    while time.monotonic() < deadline:
        response = await governance.call("GET", f"/partners/{partner.partner_id}/benefits", accept=(404,))
        held = response.json().get("held", []) if response.status_code == 200 else []
        if held:
            break
        await asyncio.sleep(1.0)
    try:
        await governance.call("POST", "/benefits/evaluations", {}, key=f"benefits-{plan.today}")
    except DemoError as error:
        print(f"the daily benefit evaluation was refused: {error}")
    return len(held)


async def load_governance(governance: Api, registration: Api, plan: Plan) -> None:
    """The plan first (so the rituals recorded next hold its activities), then the rituals, then benefits;
    a stack without governance is told, not failed."""
    try:
        plan_id = await load_joint_plan(governance, plan)
    except (DemoError, httpx.HTTPError) as error:
        print(f"governance not reachable, no joint plan or benefits: {error}")
        return
    await load_rituals(registration, plan)
    held = await load_benefits(governance, plan)
    print(f"joint plan {plan_id} and {held} commitment benefits held by {showcase_partner(plan).partner_id}")
