"""The anomaly queue's two decisions made through insights, through the real broker: insights forwards
them to registration with the manager's own token, registration emits ``deal.flag_cleared`` /
``deal.flag_confirmed`` (who and why), the ledger releases or reverses what it held, and the queue
follows from the events (flags decided, nothing held any more)."""

from __future__ import annotations

from typing import Any

from insights.bootstrap import bootstrap
from insights.entrypoints.api import create_app as insights_app
from insights.entrypoints.consumer import READ_MODELS
from ledger.entrypoints.api import create_app as ledger_app
from registration.entrypoints.api import create_app as registration_app
from servicekit.testing.client import app_client, auth_header

from .flagged_wins import Clock, balances, equals, win_two_flagged_deals
from .workers import consumer_task, eventually, projector_task, relay_task


async def test_clearing_and_confirming_through_insights_makes_the_ledger_follow(  # type: ignore[no-untyped-def]
    registration_settings, ledger_settings, insights_settings
):
    clock = Clock()
    admin = auth_header(registration_settings, "partners:write", "deals:write", subject="manager:jo")
    reviewer = auth_header(insights_settings, "deals:write", "insights:read", subject="manager:jo")
    reader = auth_header(ledger_settings, "ledger:read")
    async with (
        app_client(registration_app(registration_settings, clock=clock)) as reg,
        app_client(ledger_app(ledger_settings)) as led,
        app_client(insights_app(container=bootstrap(insights_settings, clock=clock, registration=reg))) as ins,
        relay_task(registration_settings, "registration"),
        relay_task(ledger_settings, "ledger"),
        projector_task(ledger_settings),
        consumer_task(insights_settings, READ_MODELS),
    ):

        async def owed() -> dict[str, str]:
            return await balances(led, reader)

        async def queue(status: str) -> dict[str, Any]:
            response = await ins.get("/anomalies", params={"status": status}, headers=reviewer)
            return {item["deal_id"]: item for item in response.json()["items"]}

        await win_two_flagged_deals(reg, admin)

        # the ledger holds both rewards and accruals; the queue shows the same amounts per deal
        held = {"rebates_held": "750.00", "mdf_held": "150.00"}
        assert await eventually(lambda: equals(owed, held)) == held

        async def held_in_queue() -> dict[str, tuple[str, str]]:
            items = await queue("open")
            return {
                d: (i["held"][0]["rebates"]["amount"], i["held"][0]["mdf"]["amount"])
                for d, i in items.items()
                if i["held"]
            }

        in_queue = {"d1": ("500.00", "100.00"), "d2": ("250.00", "50.00")}
        assert await eventually(lambda: equals(held_in_queue, in_queue)) == in_queue

        flag = "/anomalies/{}/flags/registered_near_close/{}"
        cleared = await ins.post(flag.format("d2", "clear"), json={"note": "signed in time"}, headers=reviewer)
        assert cleared.status_code == 200, cleared.text
        confirmed = await ins.post(flag.format("d1", "confirm"), json={"note": "backdated"}, headers=reviewer)
        assert confirmed.status_code == 200, confirmed.text
        assert confirmed.json()["registration"]["status"] == "rejected"

        # the ledger follows registration's events: d2 is payable, d1's held rebate and accrual reversed
        settled = {"rebates_payable": "250.00", "mdf_available": "50.00"}
        assert await eventually(lambda: equals(owed, settled)) == settled

        async def decided() -> dict[str, tuple[str, str | None, str | None, str]] | None:
            done = {**await queue("cleared"), **await queue("confirmed")}
            if {d: i["held"][0]["rebates"]["amount"] for d, i in done.items()} != {"d1": "0.00", "d2": "0.00"}:
                return None
            return {
                d: (i["status"], i["flags"][0]["decided_by"], i["flags"][0]["note"], i["held"][0]["mdf"]["amount"])
                for d, i in done.items()
            }

        assert await eventually(decided) == {
            "d1": ("confirmed", "manager:jo", "backdated", "0.00"),
            "d2": ("cleared", "manager:jo", "signed in time", "0.00"),
        }
        assert await queue("open") == {}
