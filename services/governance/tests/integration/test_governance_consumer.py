"""The activity feed through the real broker: onboarding plans, engagement that crosses a commitment
minimum grants benefits (once, also on replay), a matching ritual completes the plan's activity, and
won deals and MDF claims join the spot-audit population."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from governance.config import GovernanceSettings
from governance.entrypoints.api import create_app
from governance_api import GovernanceApi
from governance_kafka import fetch, publish, running_consumer, until
from incentive_contracts.events.deal import DealWon
from incentive_contracts.events.engagement import EngagementKind, EngagementRecorded
from incentive_contracts.events.partner import PartnerEnrolled
from incentive_contracts.money import Money
from servicekit.testing.client import app_client
from servicekit.testing.clock import SettableClock


def engagement(engagement_id: str, kind: EngagementKind, day: date, partner: str = "acme") -> EngagementRecorded:
    return EngagementRecorded(
        partner_id=partner, engagement_id=engagement_id, kind=kind, occurred_on=day, evidence_ref="crm://minutes"
    )


ENROLLED = PartnerEnrolled(
    partner_id="acme",
    name="Acme",
    partner_type="reseller",
    region="EMEA",
    program_id="default",
    enrolled_on=date(2026, 1, 5),
)
WON = DealWon(
    partner_id="acme",
    deal_id="d-1",
    product_line="cloud",
    amount=Money(amount=Decimal("5000.00"), currency="USD"),
    closed_on=date(2026, 3, 10),
    registered=True,
)


async def plan_a_qbr(settings: GovernanceSettings) -> None:
    """Put a Q1 QBR on the onboarding plan, as a manager would."""
    async with app_client(create_app(settings, clock=SettableClock(date(2026, 3, 1)))) as client:
        api = GovernanceApi(client, settings)
        body = {"activities": [{"activity_id": "qbr-q1", "kind": "qbr", "title": "Q1 QBR", "partner_owner": "K",
                                "vendor_owner": "S", "due_on": "2026-03-31"}]}  # fmt: skip
        await api.ok("PUT", "/plans/plan-acme-2026/content", body)


async def the_partner_sees_its_benefits_and_cadence(settings: GovernanceSettings) -> None:
    async with app_client(create_app(settings, clock=SettableClock(date(2026, 4, 1)))) as client:
        api = GovernanceApi(client, settings)
        benefits = await api.get("/partners/acme/benefits", api.partner("acme"))
        assert sorted(h["benefit"] for h in benefits["held"]) == ["certified_status", "early_betas", "roadmap_previews"]
        first = benefits["history"][0]
        assert (first["effective_on"], first["rule_id"], first["inputs"]) == (
            "2026-03-30",
            "committed-partner",
            {"engagement_points": "21", "certifications": "1"},
        )
        plan = await api.get("/plans/plan-acme-2026")
        assert [(c["activity_id"], c["state"]) for c in plan["cadence"]] == [("qbr-q1", "held_on_time")]


async def test_activity_crossing_the_minimum_grants_benefits_once_and_rituals_complete_the_plan(
    kafka_settings: GovernanceSettings,
) -> None:
    await publish(kafka_settings, "/registration", [(ENROLLED, date(2026, 1, 5))])
    async with running_consumer(kafka_settings, "gov-test") as consumer:

        async def onboarded() -> bool:
            return bool(await fetch(kafka_settings, "SELECT 1 FROM streams WHERE stream_id = 'plan:plan-acme-2026'"))

        await until(onboarded)
        await plan_a_qbr(kafka_settings)
        # 1 QBR (10) + 1 certification (8) = 18 points: below 20; the enablement (3) makes 21.
        await publish(
            kafka_settings,
            "/registration",
            [
                (engagement("e-1", EngagementKind.QUARTERLY_BUSINESS_REVIEW, date(2026, 3, 20)), date(2026, 3, 20)),
                (engagement("e-2", EngagementKind.CERTIFICATION, date(2026, 3, 25)), date(2026, 3, 25)),
                (WON, date(2026, 3, 10)),
            ],
        )

        async def three_applied() -> bool:
            return consumer.applied == 4

        await until(three_applied)
        assert await fetch(kafka_settings, "SELECT 1 FROM outbox WHERE event_type = 'governance.benefit_granted'") == []
        await publish(
            kafka_settings,
            "/registration",
            [
                (engagement("e-3", EngagementKind.ENABLEMENT_SESSION, date(2026, 3, 30)), date(2026, 3, 30)),
                (engagement("e-3", EngagementKind.ENABLEMENT_SESSION, date(2026, 3, 30)), date(2026, 3, 31)),  # re-sent
            ],
        )

        async def granted() -> bool:
            return consumer.applied == 6

        await until(granted)

    rows = await fetch(kafka_settings, "SELECT event_type FROM outbox ORDER BY id")
    types = [r["event_type"] for r in rows]
    assert types == [
        "governance.plan_drafted",
        "governance.plan_revised",
        "governance.plan_activity_completed",  # the QBR of 03-20 held the plan's Q1 QBR
        "governance.benefit_granted",
        "governance.benefit_granted",
        "governance.benefit_granted",
    ]
    await the_partner_sees_its_benefits_and_cadence(kafka_settings)
    population = await fetch(kafka_settings, "SELECT item_kind, item_id, period FROM audit_population")
    assert [tuple(r) for r in population] == [("deal", "d-1", "2026-Q1")]

    # A second consumer group re-reads everything: facts are keyed, so nothing changes.
    async with running_consumer(kafka_settings, "gov-replay") as replay:

        async def caught_up() -> bool:
            return replay.applied == 6

        await until(caught_up)
    again = await fetch(kafka_settings, "SELECT event_type FROM outbox ORDER BY id")
    assert [r["event_type"] for r in again] == types


async def test_a_partner_with_the_longest_id_gets_its_onboarding_plan(kafka_settings: GovernanceSettings) -> None:
    long_id = "p" * 64
    await publish(
        kafka_settings, "/registration", [(ENROLLED.model_copy(update={"partner_id": long_id}), date(2026, 1, 5))]
    )
    async with running_consumer(kafka_settings, "gov-long") as consumer:

        async def applied() -> bool:
            return consumer.applied == 1

        await until(applied)
    plans = await fetch(kafka_settings, "SELECT stream_id, label FROM streams WHERE partner_id = $1", long_id)
    assert [(r["stream_id"].startswith("plan:plan-"), r["label"]) for r in plans] == [(True, "2026")]
    assert await fetch(kafka_settings, "SELECT reason FROM dead_letters") == []
