"""Issue 12, defect 3: order is only guaranteed within a topic partition. A partner is enrolled at
registration and MDF is allocated to it at once; the allocations reach the ledger (topic
incentives.mdf) before partner.enrolled (topic incentives.registration). They wait, parked, and are
applied when the enrolment arrives: the ledger's mdf_available equals the allocations, nothing is
dead-lettered, and a replay (from the consumed log and from Kafka) gives the same ledger."""

from __future__ import annotations

import asyncpg
from ledger.config import LedgerSettings
from ledger.entrypoints.api import create_app as ledger_app
from ledger.entrypoints.audit_cli import run_replay, run_verify
from mdf.config import MdfSettings
from mdf.entrypoints.api import create_app as mdf_app
from registration.config import RegistrationSettings
from servicekit.db import sync_url
from servicekit.testing.client import app_client, auth_header
from servicekit.testing.databases import DatabaseFactory

from .mdf_partners import mdf_learns_enrolments
from .outbox_events import enrolled, write_to_outbox
from .workers import eventually, mdf_consumer_task, projector_task, relay_task

PERIOD = "2026-Q4"


def chf(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "CHF"}


async def test_mdf_allocations_that_overtake_the_partners_enrolment_wait_and_apply(
    registration_settings: RegistrationSettings,
    ledger_settings: LedgerSettings,
    mdf_settings: MdfSettings,
    database_factory: DatabaseFactory,
) -> None:
    [enrolment] = await write_to_outbox(registration_settings, [enrolled("fast")])
    # The mdf consumer was faster than the ledger's: it has applied the enrolment (the very event in
    # registration's outbox) before the registration relay reached the ledger.
    assert await mdf_learns_enrolments(registration_settings, mdf_settings, [enrolment]) == 1
    manager = auth_header(mdf_settings, "mdf:write", subject="manager")
    reader = auth_header(ledger_settings, "ledger:read")
    ledger = await asyncpg.connect(sync_url(ledger_settings.database_url))
    try:
        async with app_client(mdf_app(mdf_settings)) as mdf, app_client(ledger_app(ledger_settings)) as led:
            budget = await mdf.put(f"/budgets/{PERIOD}", json={"amount": chf("1000.00")}, headers=manager)
            assert budget.status_code == 200, budget.text
            for n, amount in enumerate(("400.00", "250.00")):
                body = {"partner_id": "fast", "period": PERIOD, "amount": chf(amount)}
                allocated = await mdf.post("/allocations", json=body, headers=manager | {"Idempotency-Key": f"a{n}"})
                assert allocated.status_code == 201, allocated.text

            async with relay_task(mdf_settings, "mdf"), projector_task(ledger_settings):

                async def parked() -> bool:
                    return bool(await ledger.fetchval("SELECT count(*) FROM parked_events") == 2)

                await eventually(parked)
                waiting = await ledger.fetch("SELECT waiting_for FROM parked_events ORDER BY serial")
                assert [r["waiting_for"] for r in waiting] == ["partner:fast", "partner:fast"]
                assert await ledger.fetchval("SELECT count(*) FROM dead_letters") == 0

                async with relay_task(registration_settings, "registration"), mdf_consumer_task(mdf_settings):

                    async def balances() -> list[tuple[str, str, str]] | None:
                        response = await led.get("/partners/fast/balances", headers=reader)
                        if response.status_code != 200 or not response.json()["balances"]:
                            return None
                        return [(b["account"], b["currency"], b["balance"]) for b in response.json()["balances"]]

                    assert await eventually(balances) == [("partner:fast:mdf_available", "CHF", "650.00")]
                    position = await mdf.get(
                        f"/partners/fast/funds/{PERIOD}", headers=auth_header(mdf_settings, "mdf:read")
                    )
                    assert position.json()["positions"][0]["available"] == "650.00"

        assert await ledger.fetchval("SELECT count(*) FROM parked_events") == 0
        assert await ledger.fetchval("SELECT count(*) FROM dead_letters") == 0
        # The consumed-event log holds the allocations where they were applied: after the enrolment.
        order = await ledger.fetch("SELECT event_type FROM consumed_events ORDER BY consumed_seq")
        assert [r["event_type"] for r in order] == ["partner.enrolled", "mdf.allocated", "mdf.allocated"]
    finally:
        await ledger.close()

    for source in (ledger_settings.database_url, None):
        target = database_factory.empty(prefix="order")
        report = await run_replay(ledger_settings, target, from_database=source, quiet=True)
        assert (report.events, report.rejected) == (3, [])
        verdict = await run_verify(ledger_settings.database_url, target, quiet=True)
        assert verdict.findings == []
        assert verdict.live.digest.digest == report.digest["digest"]
