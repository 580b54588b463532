"""The demo program as data: who the partners are and what happens to them, day by day.

Pure and deterministic: the same seed and the same ``today`` give the same plan (ids, amounts,
dates). Every date is relative to ``today`` (the quarter it falls in and the six before it), so the
demo stays true whatever day it is loaded on. ``demo.py`` sends the plan through the real APIs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

HISTORY_QUARTERS = 6  # complete quarters before the current one
REGIONS = ("NA", "EMEA", "APAC", "LATAM")
VERTICALS = ("healthcare", "financial_services", "manufacturing", "public_sector", "retail")
TYPES = ("reseller", "system_integrator", "managed_service_provider", "referral")
PRODUCT_LINES = ("cloud", "security", "analytics", "services")
LOSS_REASONS = ("lost to competitor", "no budget", "project cancelled", "went with incumbent", "timing")
NAMES = (
    "Northwind Systems", "Contoso Partners", "Fabrikam Integration", "Adatum Cloud", "Tailspin Networks",
    "Litware Solutions", "Proseware Group", "Lucerne Technology", "Wingtip Digital", "Woodgrove Consulting",
    "Alpine Data", "Bluefin IT", "Cobalt Ridge", "Delta Harbor", "Evergreen Tech", "Fjord Analytics",
    "Granite Peak", "Helix Services", "Ironbark Systems", "Juniper Bay", "Kestrel Cloud", "Lakeside Digital",
    "Meridian Works", "Nimbus Partners", "Orchid Software", "Pioneer Grid", "Quartz Logic", "Redwood Secure",
    "Summit Core", "Tidewater IT", "Umbra Labs", "Vantage Point", "Willow Stack", "Xenon Networks",
    "Yardley Consulting", "Zephyr Systems", "Aurora Ops", "Basalt Data", "Cedar Analytics", "Dune Security",
)  # fmt: skip
CUSTOMERS = (
    "Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Wonka", "Soylent", "Cyberdyne",
    "Tyrell", "Gringotts", "Oscorp", "Vandelay", "Dunder", "Pied Piper", "Monarch", "Gekko", "Duff", "Nakatomi",
)  # fmt: skip
CUSTOMER_KINDS = ("Health", "Bank", "Manufacturing", "Logistics", "Retail", "Energy", "Media", "Foods")


@dataclass(frozen=True)
class Profile:
    """How a kind of partner behaves: deals per quarter, their size, how often it wins, its engagement."""

    name: str
    deals_per_quarter: tuple[int, int]
    amount: tuple[int, int]  # whole currency units; at most 200,000 so registrations auto-approve
    win_rate: float
    engagement: tuple[str, ...]  # engagement kinds each quarter
    mdf_allocation: int


PROFILES = {
    "platinum": Profile("platinum", (11, 14), (140_000, 200_000), 0.80,
                        ("quarterly_business_review", "joint_business_plan", "certification",
                         "joint_marketing_activity"),
                        25_000),
    "gold": Profile("gold", (5, 7), (80_000, 190_000), 0.65,
                    ("quarterly_business_review", "joint_business_plan", "enablement_session"), 12_000),
    "silver": Profile("silver", (3, 4), (40_000, 120_000), 0.55,
                      ("quarterly_business_review", "enablement_session"), 5_000),
    "registered": Profile("registered", (1, 2), (8_000, 60_000), 0.40, ("enablement_session",), 2_000),
}  # fmt: skip
# The order partners are drawn in, so that a small --partners slice still has every kind.
PROFILE_CYCLE = ("gold", "silver", "registered", "platinum", "silver", "gold", "registered", "silver", "gold")


@dataclass(frozen=True)
class Partner:
    partner_id: str
    name: str
    profile: str
    partner_type: str
    region: str
    vertical: str
    currency: str
    domain: str
    enrolled_on: date
    via_crm: bool  # its deals arrive through the signed generic CRM webhook instead of the API
    cohort: str | None  # "pilot" or "control" for the pilot's two cohorts


@dataclass(frozen=True)
class Action:
    """One thing that happens on ``on``; ``kind`` names the call ``demo.py`` makes."""

    on: date
    kind: str
    partner_id: str
    data: dict[str, object] = field(default_factory=dict)


@dataclass
class Plan:
    today: date
    first_day: date
    partners: list[Partner]
    actions: list[Action]  # per partner, in date order
    flagged_deals: list[str]
    pilot_start: date

    def quarters(self) -> list[str]:
        """Every quarter of the demo, oldest first, as ``YYYY-Qn``."""
        found: list[str] = []
        day = self.first_day
        while day <= self.today:
            if quarter_of(day) not in found:
                found.append(quarter_of(day))
            day += timedelta(days=28)
        if quarter_of(self.today) not in found:
            found.append(quarter_of(self.today))
        return found


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def shift_quarters(day: date, quarters: int) -> date:
    months = day.year * 12 + day.month - 1 + 3 * quarters
    return date(months // 12, months % 12 + 1, 1)


def _money(amount: Decimal | int, currency: str) -> dict[str, str]:
    return {"amount": f"{Decimal(amount):.2f}", "currency": currency}


def build(seed: int, today: date, partner_count: int = 36) -> Plan:
    """The whole demo: partners, and for each its deals, engagement and anomalies over seven quarters."""
    rng = random.Random(seed)
    first_day = shift_quarters(quarter_start(today), -HISTORY_QUARTERS)
    pilot_start = shift_quarters(quarter_start(today), -3)
    partners = [_partner(rng, index, first_day) for index in range(min(partner_count, len(NAMES)))]
    partners = _assign_cohorts(partners, pilot_start)
    actions: list[Action] = []
    flagged: list[str] = []
    for partner in partners:
        mine = _partner_actions(rng, partner, today, pilot_start)
        actions.extend(sorted(mine, key=lambda a: a.on))
    # A few anomalies: wins closed days after the registration (held until a manager decides), and a
    # registration of the partner's own domain.
    candidates = [p for p in partners if not p.via_crm and p.profile != "registered"]
    for number, partner in enumerate(candidates[:6]):
        deal_id = f"{partner.partner_id}-flag{number}"
        registered = today - timedelta(days=20 + 9 * number)
        actions.append(_near_close_win(rng, partner, deal_id, registered))
        flagged.append(deal_id)
    if candidates:
        own = candidates[-1]
        actions.append(Action(today - timedelta(days=2), "register", own.partner_id, {
            "deal_id": f"{own.partner_id}-self", "customer_name": f"{own.name} (internal)",
            "customer_domain": f"it.{own.domain}", "product_line": "cloud",
            "expected_amount": _money(45_000, own.currency), "expected_close": str(today + timedelta(days=40)),
            "registered_on": str(today - timedelta(days=2)),
        }))  # fmt: skip
        flagged.append(f"{own.partner_id}-self")
    return Plan(today, first_day, partners, actions, flagged, pilot_start)


def _partner(rng: random.Random, index: int, first_day: date) -> Partner:
    name = NAMES[index]
    slug = name.lower().replace(" ", "-")
    profile = PROFILE_CYCLE[index % len(PROFILE_CYCLE)]
    region = REGIONS[rng.randrange(len(REGIONS))]
    currency = "EUR" if region == "EMEA" and rng.random() < 0.6 else "USD"
    # Most partners were enrolled before the demo's first quarter; every fifth joins during it.
    if index % 5 == 4:
        enrolled = first_day + timedelta(days=rng.randrange(60, 400))
    else:
        enrolled = first_day - timedelta(days=rng.randrange(30, 400))
    return Partner(
        partner_id=f"p-{slug}", name=name, profile=profile, partner_type=TYPES[rng.randrange(len(TYPES))],
        region=region, vertical=VERTICALS[rng.randrange(len(VERTICALS))], currency=currency,
        domain=f"{slug.replace('-', '')}.example", enrolled_on=enrolled, via_crm=index % 4 == 3, cohort=None,
    )  # fmt: skip


def _assign_cohorts(partners: list[Partner], pilot_start: date) -> list[Partner]:
    """Silver and gold partners enrolled before the pilot alternate between its cohort and its control group."""
    out: list[Partner] = []
    turn = 0
    for partner in partners:
        cohort = None
        if partner.profile in ("silver", "gold") and partner.enrolled_on < pilot_start:
            cohort = "pilot" if turn % 2 == 0 else "control"
            turn += 1
        out.append(Partner(**{**partner.__dict__, "cohort": cohort}))
    return out


def _partner_actions(rng: random.Random, partner: Partner, today: date, pilot_start: date) -> list[Action]:
    profile = PROFILES[partner.profile]
    actions: list[Action] = []
    start = max(quarter_start(partner.enrolled_on), shift_quarters(quarter_start(today), -HISTORY_QUARTERS))
    quarter = start
    deal_number = 0
    while quarter <= today:
        for kind_number, kind in enumerate(profile.engagement):
            day = quarter + timedelta(days=10 + 17 * kind_number + rng.randrange(8))
            if partner.enrolled_on <= day <= today:
                actions.append(Action(day, "engagement", partner.partner_id, {
                    "kind": kind, "occurred_on": str(day), "evidence_ref": f"crm://{partner.partner_id}/{kind}/{day}",
                }))  # fmt: skip
        for _ in range(rng.randint(*profile.deals_per_quarter)):
            registered = quarter + timedelta(days=rng.randrange(0, 88))
            if registered < partner.enrolled_on or registered > today:
                continue
            deal_number += 1
            boost = 0.12 if partner.cohort == "pilot" and registered >= pilot_start else 0.0
            actions.extend(_deal(rng, partner, f"{partner.partner_id}-d{deal_number:03d}", registered, today,
                                 profile, boost))  # fmt: skip
        quarter = shift_quarters(quarter, 1)
    return actions


def _deal(rng: random.Random, partner: Partner, deal_id: str, registered: date, today: date,
          profile: Profile, boost: float) -> list[Action]:  # fmt: skip
    """A deal's life: registered, gates passed, then won or lost if its close is behind us."""
    amount = Decimal(rng.randrange(*profile.amount) // 500 * 500)
    cycle = rng.randrange(35, 150)
    expected_close = registered + timedelta(days=cycle)
    customer = f"{CUSTOMERS[rng.randrange(len(CUSTOMERS))]} {CUSTOMER_KINDS[rng.randrange(len(CUSTOMER_KINDS))]}"
    customer = f"{customer} {deal_id.rsplit('-', 1)[-1].upper()} ({partner.name.split()[0]})"
    line = PRODUCT_LINES[rng.randrange(len(PRODUCT_LINES))]
    base = {"deal_id": deal_id, "customer_name": customer, "product_line": line,
            "expected_amount": _money(amount, partner.currency), "expected_close": str(expected_close),
            "registered_on": str(registered)}  # fmt: skip
    stages = ("qualified", "proposal", "negotiation")
    gate_days = [registered + timedelta(days=max(1, cycle * (n + 1) // 5)) for n in range(3)]
    outcome = "open"
    closed = expected_close + timedelta(days=rng.randrange(-10, 20))
    if closed <= today - timedelta(days=2):
        outcome = "won" if rng.random() < profile.win_rate + boost else "lost"
    if partner.via_crm:
        return [_crm_deal(partner, base, outcome, closed, gate_days, today, rng)]
    actions = [Action(registered, "register", partner.partner_id, base)]
    passed = [d for d in gate_days if d <= today]
    lost_after = rng.randrange(1, 4)
    for number, (stage, day) in enumerate(zip(stages, passed, strict=False)):
        if outcome == "lost" and number >= lost_after:
            break
        actions.append(Action(day, "stage", partner.partner_id, {
            "deal_id": deal_id, "stage": stage, "changed_at": f"{day}T10:00:00+00:00",
            "forecast_close": str(expected_close if outcome == "open" else closed),
        }))  # fmt: skip
    if outcome == "won":
        won_amount = amount * Decimal(rng.choice(("0.9", "1", "1", "1.05", "1.1")))
        close_day = max(closed, gate_days[-1])
        if rng.random() < 0.35:
            proof_day = gate_days[1]
            actions.append(Action(proof_day, "influence", partner.partner_id, {
                "deal_id": deal_id, "kind": rng.choice(("co_selling_call", "joint_demo", "technical_workshop")),
                "occurred_on": str(proof_day), "evidence_ref": f"crm://{deal_id}/influence",
            }))  # fmt: skip
        actions.append(Action(close_day, "won", partner.partner_id,
                              {"deal_id": deal_id, "amount": _money(won_amount, partner.currency),
                               "closed_on": str(close_day)}))  # fmt: skip
        if rng.random() < 0.04 and close_day > today - timedelta(days=80):
            refund = (won_amount * Decimal("0.3")).quantize(Decimal("0.01"))
            actions.append(Action(min(today, close_day + timedelta(days=12)), "reversal", partner.partner_id, {
                "deal_id": deal_id, "kind": "refunded", "reason": "customer downsized the order",
                "amount": _money(refund, partner.currency), "reversed_on": str(min(today, close_day + timedelta(12))),
            }))  # fmt: skip
    elif outcome == "lost":
        lost_on = max(closed, *(d for d in passed[:lost_after] or [registered]))
        actions.append(Action(lost_on, "lost", partner.partner_id, {
            "deal_id": deal_id, "lost_on": str(lost_on), "reason": LOSS_REASONS[rng.randrange(len(LOSS_REASONS))],
        }))  # fmt: skip
    return actions


def _crm_deal(partner: Partner, base: dict[str, object], outcome: str, closed: date, gate_days: list[date],
              today: date, rng: random.Random) -> Action:  # fmt: skip
    """The deal as the partner's CRM last reported it, one signed generic-webhook record."""
    passed = [d for d in gate_days if d <= today]
    stage = ("open", "qualified", "proposal", "negotiation")[len(passed)]
    updated = passed[-1] if passed else date.fromisoformat(str(base["registered_on"]))
    close = base["expected_close"]
    if outcome in ("won", "lost"):
        stage, updated, close = outcome, max(closed, gate_days[-1]), str(max(closed, gate_days[-1]))
    amount = base["expected_amount"]
    assert isinstance(amount, dict)
    fields = {"partner_id": partner.partner_id, "customer_name": base["customer_name"],
              "product_line": base["product_line"], "amount": amount["amount"], "currency": amount["currency"],
              "close_date": close, "stage": stage, "created_date": base["registered_on"]}  # fmt: skip
    if outcome == "lost":
        fields["lost_reason"] = LOSS_REASONS[rng.randrange(len(LOSS_REASONS))]
    record = {"record_id": str(base["deal_id"]), "updated_at": f"{updated}T16:00:00+00:00", "fields": fields}
    return Action(updated, "crm", partner.partner_id, {"record": record})


def _near_close_win(rng: random.Random, partner: Partner, deal_id: str, registered: date) -> Action:
    """Registered, then won three days later: the win raises ``registered_near_close`` and holds the reward."""
    amount = Decimal(rng.randrange(60_000, 150_000) // 500 * 500)
    return Action(registered, "near_close_win", partner.partner_id, {
        "deal_id": deal_id, "customer_name": f"Rapidclose {deal_id.rsplit('-', 1)[-1].upper()} ({partner.name})",
        "product_line": "security", "expected_amount": _money(amount, partner.currency),
        "expected_close": str(registered + timedelta(days=60)), "registered_on": str(registered),
        "closed_on": str(registered + timedelta(days=3)),
    })  # fmt: skip
