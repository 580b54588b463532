"""Disputes and spot audits reach the ledger through Kafka (issue 16).

A dispute a partner opens on governance's API and a manager resolves in its favour with 250.00 USD
shows on the partner's ledger statement as one compensating entry naming the dispute, once, even
when the resolution is delivered again. A won deal whose spot audit fails is flagged ``audit`` and
confirmed at registration, and the ledger reverses its rebate as for a manager's confirmation.
"""

from __future__ import annotations

from datetime import date

import asyncpg
from governance.config import GovernanceSettings
from incentive_contracts import topics
from ledger.config import LedgerSettings
from ledger.entrypoints.audit_cli import run_replay, run_verify
from registration.config import RegistrationSettings
from servicekit.db import sync_url
from servicekit.testing.client import auth_header
from servicekit.testing.databases import DatabaseFactory

from .governance_stack import GovernanceStack, balances, enrol, governance_stack, redeliver, win_deal
from .workers import eventually

PARTNER = "disp-acme"


async def test_a_dispute_resolved_in_the_partners_favour_is_one_compensating_entry_on_its_statement(
    registration_settings: RegistrationSettings,
    ledger_settings: LedgerSettings,
    governance_settings: GovernanceSettings,
    database_factory: DatabaseFactory,
) -> None:
    partner_gov = auth_header(governance_settings, "partner:read", "partner:write", partner_id=PARTNER)
    partner_led = auth_header(ledger_settings, "partner:read", partner_id=PARTNER)
    async with governance_stack(registration_settings, ledger_settings, governance_settings, date(2026, 3, 2)) as s:
        await enrol(s, PARTNER, "2026-03-01")
        await eventually(lambda: enrolled_in_ledger(s))

        dispute = {"dispute_id": "dsp-250", "partner_id": PARTNER, "subject_kind": "missing_reward",
                   "subject_ref": "deal d-77", "description": "The registration bonus of d-77 was never paid.",
                   "claimed_amount": {"amount": "250.00", "currency": "USD"}}  # fmt: skip
        opened = await s.gov.post("/disputes", json=dispute, headers={**partner_gov, "Idempotency-Key": "o-1"})
        assert opened.status_code == 201, opened.text
        s.clock.today = date(2026, 3, 5)
        reviewed = await s.gov.post("/disputes/dsp-250/review", headers={**s.staff, "Idempotency-Key": "r-1"})
        assert reviewed.status_code == 200, reviewed.text
        resolution = {"compensation": {"amount": "250.00", "currency": "USD"}, "reason": "bonus was due"}
        resolved = await s.gov.post(
            "/disputes/dsp-250/resolve", json=resolution, headers={**s.staff, "Idempotency-Key": "s-1"}
        )
        assert resolved.status_code == 200, resolved.text

        async def compensations() -> list[dict[str, object]]:
            response = await s.led.get(
                f"/partners/{PARTNER}/statement", params={"from": "2026-03-01", "to": "2026-03-31"}, headers=partner_led
            )
            assert response.status_code == 200, response.text
            return [e for e in response.json()["entries"] if e["kind"] == "dispute_compensation"]

        [line] = await eventually(compensations, timeout=60)
        assert (line["account"], line["amount"], line["currency"], line["effective_on"]) == (
            f"partner:{PARTNER}:rebates_payable",
            "250.00",
            "USD",
            "2026-03-05",
        )
        assert "dsp-250" in line["explanation"]
        entry = (await s.led.get(f"/entries/{line['entry_id']}", headers=partner_led)).json()
        assert {k: entry["explanation"][k] for k in ("dispute_id", "subject_kind", "subject_ref", "reason")} == {
            "dispute_id": "dsp-250",
            "subject_kind": "missing_reward",
            "subject_ref": "deal d-77",
            "reason": "bonus was due",
        }
        assert await balances(s, PARTNER) == {"rebates_payable": "250.00"}

        # The resolution delivered again (the same CloudEvent), then a marker on the same partition (the
        # partner's next governance event): once the ledger took in the marker, it had the duplicate.
        sent = await redeliver(governance_settings, PARTNER, "governance.dispute_resolved")
        topic = topics.prefixed(topics.GOVERNANCE, governance_settings.topic_prefix)
        marker = {**dispute, "dispute_id": "dsp-marker", "claimed_amount": None}
        opened = await s.gov.post("/disputes", json=marker, headers={**partner_gov, "Idempotency-Key": "o-2"})
        assert opened.status_code == 201, opened.text
        await eventually(lambda: consumed_after(ledger_settings, topic, sent.partition, sent.offset), timeout=60)
        assert len(await compensations()) == 1
        assert await balances(s, PARTNER) == {"rebates_payable": "250.00"}

    # An auditor's replay from the topics (registration, MDF, governance) rebuilds the same ledger.
    target = database_factory.empty(prefix="disputes_replay")
    report = await run_replay(ledger_settings, target, quiet=True)
    assert report.rejected == []
    assert report.duplicates >= 1  # the resolution delivered twice is applied once
    verdict = await run_verify(ledger_settings.database_url, target, quiet=True)
    assert verdict.findings == []
    assert verdict.live.digest.digest == report.digest["digest"]


async def consumed_after(settings: LedgerSettings, topic: str, partition: int, offset: int) -> bool:
    """The ledger's consumer took in an event of the partition after ``offset``."""
    conn = await asyncpg.connect(sync_url(settings.database_url))
    try:
        found = await conn.fetchval(
            'SELECT count(*) FROM consumed_events WHERE topic = $1 AND partition = $2 AND "offset" > $3',
            topic,
            partition,
            offset,
        )
    finally:
        await conn.close()
    return bool(found)


async def enrolled_in_ledger(s: GovernanceStack) -> bool:
    """The partner's enrolment reached the ledger."""
    return (await s.led.get(f"/partners/{PARTNER}/balances", headers=s.reader)).status_code == 200


async def test_a_failed_spot_audit_of_a_won_deal_confirms_its_flag_and_the_ledger_reverses_its_rebate(
    registration_settings: RegistrationSettings,
    ledger_settings: LedgerSettings,
    governance_settings: GovernanceSettings,
) -> None:
    partner_id = "audit-acme"
    async with governance_stack(registration_settings, ledger_settings, governance_settings, date(2026, 4, 1)) as s:
        await enrol(s, partner_id, "2026-03-01")
        won = await win_deal(s, partner_id, "d-aud", "10000.00", date(2026, 5, 15))
        assert won["flags"] == []  # registered six weeks before the close: nothing to hold

        async def paid() -> str | None:
            return (await balances(s, partner_id)).get("rebates_payable")

        assert await eventually(paid, timeout=60) == "500.00"  # 5 % of 10 000.00
        await eventually(lambda: in_audit_population(governance_settings, "d-aud"), timeout=60)

        s.clock.today = date(2026, 7, 2)
        drawn = await s.gov.post(
            "/audits",
            json={"period": "2026-Q2", "seed": "e2e"},  # the program samples 5 %: ceil(0.05 x 1) = 1
            headers={**s.staff, "Idempotency-Key": "a"},
        )
        assert drawn.status_code == 201, drawn.text
        assert [i["item_id"] for i in drawn.json()["items"]] == ["d-aud"]
        failed = await s.gov.post(
            "/audits/2026-Q2/items/deal/d-aud/fail",
            json={"note": "no purchase order on file"},
            headers={**s.staff, "Idempotency-Key": "f"},
        )
        assert failed.status_code == 200, failed.text

        async def rejected() -> dict[str, object] | None:
            deal = (await s.reg.get("/deals/d-aud", headers=s.admin)).json()
            return deal if deal["status"] == "rejected" else None

        deal = await eventually(rejected, timeout=60)
        assert [(f["reason"], f["confirmed_by"]) for f in deal["flags"]] == [("audit", "manager:kim")]

        async def reversed_rebate() -> list[dict[str, object]]:
            response = await s.led.get("/entries", params={"deal_id": "d-aud", "kind": "clawback"}, headers=s.reader)
            return list(response.json()["items"]) if response.status_code == 200 else []

        [clawback] = await eventually(reversed_rebate, timeout=60)
        assert clawback["explanation"]["reason"].startswith("flag audit confirmed")
        assert "rebates_payable" not in await balances(s, partner_id)


async def in_audit_population(settings: GovernanceSettings, deal_id: str) -> bool:
    """Governance's consumer has the won deal in its audit population (the draw reads it once)."""
    conn = await asyncpg.connect(sync_url(settings.database_url))
    try:
        found = await conn.fetchval("SELECT count(*) FROM audit_population WHERE item_id = $1", deal_id)
    finally:
        await conn.close()
    return bool(found)
