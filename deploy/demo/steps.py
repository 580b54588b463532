"""The demo's steps, in the order a real program would live them: rules, partners, deals, funds, money."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from pathlib import Path

import httpx
from calls import Api, DemoError, signed_generic_delivery
from plan import PROFILES, Action, Plan, quarter_of, quarter_start, shift_quarters

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PROGRAM = ROOT / "contracts" / "incentive_contracts" / "programs" / "default.yaml"
# Next edition: the committed-partner minimum rises and the spot-audit rate with it (the notice says so).
NEXT_EDITION_TERMS = (
    ("minimum: {engagement_points: 20, certifications: 1}", "minimum: {engagement_points: 25, certifications: 1}"),
    ('rate: "0.05"', 'rate: "0.08"'),
)
PILOT = "growth-pilot"


def _variant(document: str, program_id: str, title: str, rebates: dict[str, str], extra: str = "") -> str:
    """The built-in program with other rebate rates (and any extra rules): the pilot's variant, next year's."""
    lines = []
    for line in document.splitlines():
        if line.startswith("program:"):
            line = f"program: {program_id}"
        elif line.startswith("title:"):
            line = f"title: {json.dumps(title)}"
        for tier, rate in rebates.items():
            if line.strip().startswith(f"{tier}: {{default:"):
                line = line.split(":")[0] + f': {{default: "{rate}"}}'
        lines.append(line)
    return "\n".join(lines) + "\n" + extra


async def load_programs(ledger: Api, plan: Plan) -> None:
    """The pilot (a richer rebate for one cohort, a control cohort beside it) and next quarter's rules."""
    document = DEFAULT_PROGRAM.read_text()
    pilot = _variant(document, PILOT, "Growth pilot: richer rebates", {"silver": "8", "gold": "10"})
    await ledger.call("POST", f"/programs/{PILOT}/versions", {"document": pilot}, key="pilot-v1")
    await ledger.call("POST", f"/programs/{PILOT}/versions/1/publish", {
        "effective_from": str(shift_quarters(plan.first_day, -4)), "correction": True,
        "reason": "demo: the pilot's rules, in force before its first quarter",
    }, key="pilot-v1-publish")  # fmt: skip
    await ledger.call("POST", "/pilots", {
        "pilot_id": PILOT, "base_program_id": "default", "variant_program_id": PILOT, "cohort_tag": "pilot-cohort",
        "control_tag": "pilot-control", "starts_on": str(plan.pilot_start),
        "description": "Do richer silver and gold rebates grow won revenue? "
                       "Half the silver and gold partners get them.",
    })  # fmt: skip
    for tag, cohort in (("pilot-cohort", "pilot"), ("pilot-control", "control")):
        changes = [{"partner_id": p.partner_id, "effective_on": str(plan.pilot_start), "member": True}
                   for p in plan.partners if p.cohort == cohort]  # fmt: skip
        if changes:
            await ledger.call("POST", f"/cohorts/{tag}/changes", {"changes": changes}, key=f"cohort-{tag}")
    # Next year's rules, announced now with the notice the ledger requires: the partner portal shows both.
    effective = shift_quarters(quarter_start(plan.today), 2)
    spiff = (f"spiffs:\n  - {{id: security-launch, product_lines: [security], from: {effective}, "
             f"to: {effective + timedelta(days=89)}, amount: {{USD: \"1500\", EUR: \"1400\"}}}}\n")  # fmt: skip
    announced = _variant(document, "default", "Default partner program (next edition)",
                         {"gold": "8.5", "platinum": "11"}, spiff)  # fmt: skip
    for before, after in NEXT_EDITION_TERMS:
        announced = announced.replace(before, after)
    created = await ledger.call("POST", "/programs/default/versions", {"document": announced}, key="default-next")
    version = created.json().get("version", 1) if created.status_code < 300 else 1
    await ledger.call("POST", f"/programs/default/versions/{version}/publish",
                      {"effective_from": str(effective)}, key="default-next-publish")  # fmt: skip


async def load_partners(registration: Api, plan: Plan) -> None:
    async def enrol(partner_index: int) -> None:
        p = plan.partners[partner_index]
        await registration.call("POST", "/partners", {
            "partner_id": p.partner_id, "name": p.name, "partner_type": p.partner_type, "region": p.region,
            "vertical": p.vertical, "domain": p.domain, "enrolled_on": str(p.enrolled_on),
            "contacts": [{"name": f"{p.name.split()[0]} Channel Lead", "email": f"channel@{p.domain}",
                          "role": "partner manager"}],
        })  # fmt: skip

    await asyncio.gather(*(enrol(i) for i in range(len(plan.partners))))


async def _act(registration: Api, action: Action) -> None:
    data = dict(action.data)
    deal_id = str(data.get("deal_id", ""))
    if action.kind == "register":
        await registration.call("POST", "/deals", {"partner_id": action.partner_id, **data})
    elif action.kind == "engagement":
        await registration.call("POST", "/engagements", {"partner_id": action.partner_id, **data},
                                key=f"eng-{data['evidence_ref']}")  # fmt: skip
    elif action.kind == "stage":
        del data["deal_id"]
        await registration.call("POST", f"/deals/{deal_id}/stage", data, key=f"{deal_id}-{data['stage']}")
    elif action.kind in ("won", "lost", "influence", "reversal"):
        del data["deal_id"]
        path = {"won": "won", "lost": "lost", "influence": "influence", "reversal": "reversal"}[action.kind]
        await registration.call("POST", f"/deals/{deal_id}/{path}", data, key=f"{deal_id}-{path}")
    elif action.kind == "near_close_win":
        await _near_close_win(registration, action.partner_id, data)
    elif action.kind == "crm":
        body, headers = signed_generic_delivery(f"demo-{deal_id or data['record']['record_id']}", [data["record"]])  # type: ignore[index]
        response = await registration.client.post("/webhooks/generic", content=body, headers=headers)
        if response.status_code != 202:
            raise DemoError(f"POST /webhooks/generic -> {response.status_code}: {response.text[:300]}")


async def _near_close_win(registration: Api, partner_id: str, data: dict[str, object]) -> None:
    deal_id = str(data["deal_id"])
    closed_on = str(data.pop("closed_on"))
    await registration.call("POST", "/deals", {"partner_id": partner_id, **data})
    registered = datetime.fromisoformat(str(data["registered_on"]))
    for offset, stage in ((1, "qualified"), (1, "proposal"), (2, "negotiation")):
        at = (registered + timedelta(days=offset, hours=9 + offset)).replace(tzinfo=UTC).isoformat()
        await registration.call("POST", f"/deals/{deal_id}/stage", {"stage": stage, "changed_at": at},
                                key=f"{deal_id}-{stage}")  # fmt: skip
    won = {"amount": data["expected_amount"], "closed_on": closed_on}
    await registration.call("POST", f"/deals/{deal_id}/won", won, key=f"{deal_id}-won")


async def load_activity(registration: Api, plan: Plan) -> None:
    """Each partner's actions in date order; partners side by side (eight at a time)."""
    by_partner: dict[str, list[Action]] = defaultdict(list)
    for action in plan.actions:
        by_partner[action.partner_id].append(action)
    gate = asyncio.Semaphore(8)

    async def one(actions: list[Action]) -> None:
        async with gate:
            for action in actions:
                await _act(registration, action)

    await asyncio.gather(*(one(actions) for actions in by_partner.values()))


async def load_mdf(mdf: Api, plan: Plan) -> None:
    """Budgets and allocations every quarter; this quarter's campaigns, some claimed with their results."""
    quarters = plan.quarters()
    for quarter in quarters:
        for currency, amount in (("USD", "900000.00"), ("EUR", "300000.00")):
            await mdf.call("PUT", f"/budgets/{quarter}", {"amount": {"amount": amount, "currency": currency}},
                           key=f"budget-{quarter}-{currency}")  # fmt: skip
    for partner in plan.partners:
        allocation = PROFILES[partner.profile].mdf_allocation
        for quarter in quarters:
            if quarter < quarter_of(partner.enrolled_on):
                continue
            await mdf.until("POST", "/allocations", {
                "allocation_id": f"alloc-{partner.partner_id}-{quarter}", "partner_id": partner.partner_id,
                "period": quarter, "amount": {"amount": f"{allocation}.00", "currency": partner.currency},
            }, waiting_for="unknown_partner")  # fmt: skip
    for number, partner in enumerate(plan.partners):
        await _campaign(mdf, plan, partner.partner_id, partner.currency, partner.profile, number)


async def _campaign(mdf: Api, plan: Plan, partner_id: str, currency: str, profile: str, number: int) -> None:
    """One campaign per partner this quarter, at a stage that depends on who it is."""
    # The day as mdf sees it now, not when the demo started: a demo running over midnight would ask for
    # an activity that mdf already takes as started (within the plan's quarter; its budgets are set).
    now = datetime.now(UTC).date()
    today = now if quarter_start(now) == quarter_start(plan.today) else plan.today
    quarter_end = shift_quarters(quarter_start(today), 1) - timedelta(days=1)
    stages = ("claimed", "approved", "submitted", "claimed", "rejected")
    stage = stages[number % 5] if profile != "registered" else "submitted"
    one_day = stage == "claimed"  # a claim needs the activity over: a webinar held today
    starts = today if one_day else min(quarter_end, today + timedelta(days=7 + number % 20))
    ends = today if one_day else min(quarter_end, starts + timedelta(days=5))
    allocation = Decimal(PROFILES[profile].mdf_allocation)
    asked = (allocation * Decimal("0.4")).quantize(Decimal("1"))
    kind = ("webinar", "digital_campaign", "whitepaper")[number % 3] if not one_day else "webinar"
    request_id = f"mdf-{partner_id}-{quarter_of(today)}"
    money = {"amount": f"{asked}.00", "currency": currency}
    await mdf.call("POST", "/requests", {
        "request_id": request_id, "partner_id": partner_id, "period": quarter_of(today), "activity_type": kind,
        "title": f"{kind.replace('_', ' ').title()} with {partner_id.removeprefix('p-').replace('-', ' ').title()}",
        "planned_cost": {"amount": f"{asked * 2 + 500}.00", "currency": currency}, "requested_amount": money,
        "starts_on": str(starts), "ends_on": str(ends), "expected_results": {"registrations": 120, "leads": 30},
    })  # fmt: skip
    if stage == "submitted":
        return
    if stage == "rejected":
        reason = {"reason": "the audience overlaps last quarter's campaign"}
        await mdf.call("POST", f"/requests/{request_id}/reject", reason)
        return
    await mdf.call("POST", f"/requests/{request_id}/approve", {})
    if stage == "claimed":
        proof = hashlib.sha256(f"{request_id}-attendance".encode()).hexdigest()
        claim = await mdf.call("POST", f"/requests/{request_id}/claims", {
            "claim_id": f"claim-{request_id}", "claimed_amount": money,
            "actual_cost": {"amount": f"{asked * 2 + 300}.00", "currency": currency},
            "invoice_ref": f"INV-{request_id.upper()}"[:60],
            "proof": [{"reference": f"https://files.example/{request_id}/attendance.pdf", "content_hash": proof}],
            "results": {"registrations": 96 + number, "attendees": 61 + number, "leads": 24 + number % 9,
                        "opportunities_influenced": 3 + number % 4},
        })  # fmt: skip
        if claim.status_code < 300:
            await mdf.call("POST", f"/claims/claim-{request_id}/approve", {})


async def _wait_for_ledger(ledger: Api, plan: Plan, patience: float = 240.0) -> None:
    """Until the ledger has posted every partner's last win (its projector runs behind the API)."""
    last_wins: dict[str, str] = {}
    for action in plan.actions:
        if action.kind in ("won", "near_close_win"):
            last_wins[action.partner_id] = str(action.data["deal_id"])
    deadline = time.monotonic() + patience
    waiting = dict(last_wins)
    while waiting and time.monotonic() < deadline:
        for partner_id, deal_id in list(waiting.items()):
            found = await ledger.call("GET", f"/entries?deal_id={deal_id}&limit=1", accept=(404,))
            if found.status_code == 200 and found.json().get("items"):
                del waiting[partner_id]
        if waiting:
            await asyncio.sleep(1.0)
    if waiting:
        print(f"the ledger has not posted the wins of {len(waiting)} partners yet; payouts cover what it has")


async def load_finance(ledger: Api, plan: Plan, *, wait: bool) -> None:
    """Finance's quarter: forecasts, last quarter's payouts (paid), this quarter's first batch (open);
    on a quarter's first day the two cutoffs coincide and the second cut returns the first batch."""
    if wait:
        await _wait_for_ledger(ledger, plan)
    for number, quarter in enumerate(plan.quarters()):
        for currency, scale in (("USD", 1), ("EUR", Decimal("0.3"))):
            await ledger.call("PUT", f"/reconciliation/forecasts/{quarter}", {
                "currency": currency, "reward_expense": f"{Decimal(380000 + 41000 * number) * scale:.2f}",
                "mdf_usage": f"{Decimal(52000 + 3000 * number) * scale:.2f}",
                "payouts": f"{Decimal(300000 + 37000 * number) * scale:.2f}",
            }, key=f"forecast-{quarter}-{currency}")  # fmt: skip
    settled_cutoff = datetime.combine(quarter_start(plan.today), clock_time(0), tzinfo=UTC)
    # This quarter's first batch covers what was payable three weeks ago: later wins stay payable.
    open_day = max(quarter_start(plan.today), plan.today - timedelta(days=21))
    open_cutoff = datetime.combine(open_day, clock_time(0), tzinfo=UTC)
    for currency in ("USD", "EUR"):
        batch = await ledger.call("POST", "/payout-batches", {
            "currency": currency, "cutoff": settled_cutoff.isoformat(), "minimum_amount": "100.00"})  # fmt: skip
        batch_id = batch.json().get("batch_id") if batch.status_code < 300 else None
        if batch_id:
            await _pay(ledger, batch_id, settled_cutoff)
        await ledger.call("POST", "/payout-batches", {
            "currency": currency, "cutoff": open_cutoff.isoformat(), "minimum_amount": "100.00"})  # fmt: skip


async def _pay(ledger: Api, batch_id: str, cutoff: datetime) -> None:
    lines = (await ledger.call("GET", f"/payout-batches/{batch_id}/lines?limit=500")).json().get("items", [])
    paid_at = min(cutoff + timedelta(days=9), datetime.now(UTC)).isoformat()
    acks = [
        {"line_id": line["line_id"], "status": "paid", "payment_reference": f"SEPA-{line['line_id'][-10:]}",
         "at": paid_at}
        for line in lines
        if line.get("status") != "paid"
    ]  # fmt: skip
    if acks:
        try:
            await ledger.call("POST", f"/payout-batches/{batch_id}/acknowledgements", {"lines": acks})
        except DemoError as error:  # an acknowledgement dated after today is refused on the quarter's first days
            print(f"payout acknowledgement skipped: {error}")


async def load_alerts(insights: Api, plan: Plan, patience: float = 180.0) -> None:
    """Once insights has read the program, evaluate the drift thresholds of the last complete quarter
    (the alerts the overview lists); a stack without insights is told, not failed."""
    flagged = {d for d in plan.flagged_deals if "-flag" in d}
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        try:
            queue = await insights.call("GET", "/anomalies?status=open&limit=200", accept=(404,))
        except (DemoError, httpx.HTTPError) as error:
            print(f"insights not reachable, no drift evaluation: {error}")
            return
        items = queue.json().get("items", []) if queue.status_code == 200 else []
        held = {i["deal_id"] for i in items if i.get("held")}
        if flagged <= held:
            break
        await asyncio.sleep(2)
    period = quarter_of(shift_quarters(quarter_start(plan.today), -1))
    try:
        await insights.call("POST", "/alerts/evaluations", {"period": period}, key=f"evaluate-{period}")
    except DemoError as error:
        print(f"drift evaluation of {period} skipped: {error}")
