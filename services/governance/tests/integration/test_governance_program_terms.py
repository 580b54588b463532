"""The program's terms reach governance as the ledger announces them (program.version_published on the
ledger topic): a version with a higher commitment minimum applies only from its effective date, and
an audit draws at the rate of the version in force on its period's first day, which no request sets."""

from __future__ import annotations

import copy
import json
from datetime import date
from decimal import Decimal

import httpx
from governance.adapters.unit import SqlGovernanceUnit
from governance.config import GovernanceSettings
from governance.domain.audit import AuditCandidate, sample
from governance.entrypoints.consumer import ACTIVITY_FEED
from governance_api import GovernanceApi
from governance_kafka import fetch, publish, running_consumer, until
from incentive_contracts.builtin_program import builtin_announcement
from incentive_contracts.events.engagement import EngagementKind, EngagementRecorded
from incentive_contracts.events.program import ProgramVersionPublished


def version(
    number: int,
    effective_from: date,
    *,
    points: str | None = None,
    rate: str = "0.05",
    published_on: date = date(2025, 12, 1),
) -> ProgramVersionPublished:
    """The built-in program's terms as version ``number``, published (with notice) on ``published_on``;
    ``points``: committed-partner's new minimum."""
    terms = builtin_announcement().model_dump(mode="json")
    commitment = copy.deepcopy(terms["commitment"])
    if points is not None:
        commitment["rules"][0]["minimum"]["engagement_points"] = points
    return ProgramVersionPublished.model_validate(
        {
            **terms,
            "program_version": number,
            "effective_from": effective_from.isoformat(),
            "published_at": f"{published_on}T09:00:00Z",
            "commitment": commitment,
            "spot_audit_rate": rate,
        }
    )


def engagement(engagement_id: str, kind: EngagementKind, day: date) -> EngagementRecorded:
    return EngagementRecorded(
        partner_id="acme", engagement_id=engagement_id, kind=kind, occurred_on=day, evidence_ref="crm://minutes"
    )


async def test_a_raised_minimum_applies_only_from_the_versions_effective_date(
    kafka_settings: GovernanceSettings,
) -> None:
    # Given the ledger announced version 1, raising committed-partner from 20 to 30 points on 1 April,
    raised = version(1, date(2026, 4, 1), points="30", published_on=date(2026, 3, 1))
    await publish(kafka_settings, "/ledger", [(raised, date(2026, 3, 1))])
    # when the partner reaches 21 points in March (1 QBR 10 + 1 certification 8 + 1 enablement 3)
    march = [
        engagement("e-1", EngagementKind.QUARTERLY_BUSINESS_REVIEW, date(2026, 3, 20)),
        engagement("e-2", EngagementKind.CERTIFICATION, date(2026, 3, 25)),
        engagement("e-3", EngagementKind.ENABLEMENT_SESSION, date(2026, 3, 30)),
    ]
    await publish(kafka_settings, "/registration", [(e, e.occurred_on) for e in march])
    async with running_consumer(kafka_settings, "gov-terms") as consumer:

        async def march_applied() -> bool:
            return consumer.applied == 4

        await until(march_applied)
        # and one more enablement (24 points) is recorded on 2 April,
        april = engagement("e-4", EngagementKind.ENABLEMENT_SESSION, date(2026, 4, 2))
        await publish(kafka_settings, "/registration", [(april, april.occurred_on)])

        async def april_applied() -> bool:
            return consumer.applied == 5

        await until(april_applied)
    # then the benefits granted on 30 March under the built-in version 0 end on 2 April under version 1.
    rows = await fetch(kafka_settings, "SELECT event_type, payload FROM outbox ORDER BY id")
    data = [json.loads(r["payload"])["data"] for r in rows]
    changes = [(r["event_type"], d["effective_on"], d["rules_version"]) for r, d in zip(rows, data, strict=True)]
    assert (
        changes
        == [("governance.benefit_granted", "2026-03-30", 0)] * 3 + [("governance.benefit_revoked", "2026-04-02", 1)] * 3
    )
    kept = await fetch(kafka_settings, "SELECT program_id, version, effective_from FROM program_versions")
    assert [tuple(r) for r in kept] == [("default", 1, date(2026, 4, 1))]


async def keep(
    settings: GovernanceSettings, versions: list[ProgramVersionPublished], population: list[AuditCandidate]
) -> None:
    factory = ACTIVITY_FEED.uow_factory(settings, pool_size=1)
    try:
        async with factory() as uow:
            unit = SqlGovernanceUnit(uow)
            for v in versions:
                await unit.programs.add(v)
            await unit.population.add(population)
            await uow.commit()
    finally:
        await factory.engine.dispose()


async def test_an_audit_draws_at_the_rate_of_the_version_in_force_on_the_periods_first_day(
    governance_client: httpx.AsyncClient, governance_settings: GovernanceSettings
) -> None:
    api = GovernanceApi(governance_client, governance_settings)
    population = [AuditCandidate("deal", f"d-{n}", "p-1", "2026-Q1") for n in range(10)]
    # Version 1 (20 %) is in force on 1 January; version 2 (100 %) only from 1 February; version 3 (100 %),
    # a correction published in February effective from 1 January, was not known on the period's first day.
    correction = version(3, date(2026, 1, 1), rate="1", published_on=date(2026, 2, 15))
    await keep(
        governance_settings,
        [version(1, date(2026, 1, 1), rate="0.2"), version(2, date(2026, 2, 1), rate="1"), correction],
        population,
    )
    refused = await api.write("POST", "/audits", {"period": "2026-Q1", "rate": "1"})
    assert refused.status_code == 422
    assert "rate" in refused.text
    drawn = await api.ok("POST", "/audits", {"period": "2026-Q1", "seed": "s-1"})
    expected = sample(population, Decimal("0.2"), "s-1", "2026-Q1")  # ceil(0.2 x 10) = 2
    assert sorted(i["item_id"] for i in drawn["items"]) == sorted(c.item_id for c in expected)
    assert len(drawn["items"]) == 2
    assert drawn["rate"] == "0.2"
