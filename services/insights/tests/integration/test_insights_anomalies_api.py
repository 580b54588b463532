"""The anomaly review queue from registration's flag events and the ledger's held postings, and the
two decisions forwarded to registration with the caller's own token."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import httpx
import pytest
from incentive_contracts.events import deal as d
from insights.bootstrap import bootstrap
from insights.config import InsightsSettings
from insights.entrypoints.api import create_app
from money_events import Fed, entry, feed_events, won
from peer_stubs import Recorded, registration_stub
from servicekit.testing.client import app_client, auth_header

DAY = date(2026, 3, 2)


def flagged(partner_id: str, deal_id: str, reason: d.FlagReason) -> Fed:
    event = d.DealFlagged(
        partner_id=partner_id, deal_id=deal_id, reason=reason, detail=f"{reason} on {deal_id}", flagged_on=DAY
    )
    return Fed(event, event_id=f"flag-{deal_id}-{reason.value}")


EXPENSE, HELD, PAYABLE, MDF_HELD = (
    "program:core:rebate_expense",
    "partner:p-1:rebates_held",
    "partner:p-1:rebates_payable",
    "partner:p-1:mdf_held",
)
DY_FLAG = "flag-dy-multi_partner_customer"  # the hold is caused by the flag event
CLEARED = d.DealFlagCleared(
    partner_id="p-2",
    deal_id="dx",
    reason=d.FlagReason.REGISTRATION_VELOCITY,
    cleared_on=DAY,
    cleared_by="mgr-1",
    note="seasonal",
)
EVENTS = [
    # dz: flagged at registration; its rewards and MDF accrual are held from the win
    flagged("p-1", "dz", d.FlagReason.REGISTERED_NEAR_CLOSE),
    flagged("p-1", "dz", d.FlagReason.SELF_DEALING),
    won("p-1", "dz", 1000, DAY),
    entry("p-1", "e-dz-rebate", "rebate", "core/rebate", "won-dz", (EXPENSE, "40.00"), (HELD, "-40.00")),
    entry(
        "p-1", "e-dz-mdf", "mdf_accrual", "core/mdf_accrual", "won-dz",
        ("program:core:mdf_accrual_expense", "20.00"), (MDF_HELD, "-20.00"),
    ),
    # dy: won, then flagged: the ledger moves the payable reward to held
    won("p-1", "dy", 600, DAY),
    entry("p-1", "e-dy-rebate", "rebate", "core/rebate", "won-dy", (EXPENSE, "30.00"), (PAYABLE, "-30.00")),
    flagged("p-1", "dy", d.FlagReason.MULTI_PARTNER_CUSTOMER),
    entry("p-1", "e-dy-hold", "hold", "ledger/holds", DY_FLAG, (PAYABLE, "30.00"), (HELD, "-30.00")),
    # p-2: one flag cleared already, one deal whose flag registration will say is decided
    flagged("p-2", "dx", d.FlagReason.REGISTRATION_VELOCITY),
    CLEARED,
    flagged("p-2", "decided", d.FlagReason.SELF_DEALING),
]  # fmt: skip


@pytest.fixture
async def recorded_client(
    insights_settings: InsightsSettings, clock: object
) -> AsyncIterator[tuple[Recorded, httpx.AsyncClient]]:
    recorded = Recorded()
    container = bootstrap(insights_settings, clock=clock, registration=registration_stub(recorded))  # type: ignore[arg-type]
    async with app_client(create_app(container=container)) as client:
        yield recorded, client


async def test_the_queue_lists_flags_and_what_the_ledger_holds(
    insights_settings: InsightsSettings, recorded_client: tuple[Recorded, httpx.AsyncClient]
) -> None:
    _, client = recorded_client
    assert await feed_events(insights_settings, EVENTS) == 0
    staff = auth_header(insights_settings, "insights:read")

    queue = (await client.get("/anomalies", headers=staff)).json()
    assert [(i["deal_id"], i["status"]) for i in queue["items"]] == [
        ("decided", "open"),
        ("dy", "open"),
        ("dz", "open"),
    ]
    dz = queue["items"][2]
    assert [f["reason"] for f in dz["flags"]] == ["registered_near_close", "self_dealing"]
    assert dz["held"] == [
        {"rebates": {"amount": "40.00", "currency": "USD"}, "mdf": {"amount": "20.00", "currency": "USD"}}
    ]
    assert dz["won_amount"] == {"amount": "1000.00", "currency": "USD"}
    assert queue["items"][1]["held"] == [
        {"rebates": {"amount": "30.00", "currency": "USD"}, "mdf": {"amount": "0.00", "currency": "USD"}}
    ]

    cleared = (await client.get("/anomalies", params={"status": "cleared"}, headers=staff)).json()["items"]
    assert [(i["deal_id"], i["flags"][0]["decided_by"], i["flags"][0]["note"]) for i in cleared] == [
        ("dx", "mgr-1", "seasonal")
    ]
    own = auth_header(insights_settings, "partner:read", partner_id="p-2")
    assert [i["deal_id"] for i in (await client.get("/anomalies", headers=own)).json()["items"]] == ["decided"]
    assert (await client.get("/anomalies/dz", headers=own)).status_code == 404
    assert (await client.get("/anomalies", params={"partner_id": "p-1"}, headers=own)).status_code == 404
    csv = await client.get("/anomalies", params={"format": "csv"}, headers=staff)
    assert csv.text.split("\r\n")[0].startswith("deal_id,partner_id,status,flags,held")

    # registration confirms dz's flag: the deal is rejected and the ledger reverses what it held
    confirmed = d.DealFlagConfirmed(
        partner_id="p-1",
        deal_id="dz",
        reason=d.FlagReason.SELF_DEALING,
        confirmed_on=DAY,
        confirmed_by="mgr-2",
        note="own company",
    )
    reversal = entry(
        "p-1", "e-dz-reverse", "clawback", "core/clawback", "confirm-dz",
        ("partner:p-1:rebates_held", "40.00"), ("program:core:rebate_expense", "-40.00"),
        ("partner:p-1:mdf_held", "20.00"), ("program:core:mdf_accrual_expense", "-20.00"),
    )  # fmt: skip
    assert await feed_events(insights_settings, [Fed(confirmed, event_id="confirm-dz"), reversal]) == 0
    after = (await client.get("/anomalies/dz", headers=staff)).json()
    assert after["status"] == "confirmed"
    assert after["held"] == [
        {"rebates": {"amount": "0.00", "currency": "USD"}, "mdf": {"amount": "0.00", "currency": "USD"}}
    ]
    assert [(f["status"], f["decided_by"], f["note"]) for f in after["flags"]] == [
        ("open", None, None),
        ("confirmed", "mgr-2", "own company"),
    ]
    assert [i["deal_id"] for i in (await client.get("/anomalies", headers=staff)).json()["items"]] == ["decided", "dy"]


async def test_decisions_are_forwarded_to_registration_with_the_callers_token(
    insights_settings: InsightsSettings, recorded_client: tuple[Recorded, httpx.AsyncClient]
) -> None:
    recorded, client = recorded_client
    assert await feed_events(insights_settings, EVENTS) == 0
    manager = auth_header(insights_settings, "deals:write", subject="mgr-2")

    confirm = await client.post(
        "/anomalies/dz/flags/self_dealing/confirm",
        json={"note": "own company"},
        headers=manager | {"Idempotency-Key": "k-1"},
    )
    assert confirm.status_code == 200, confirm.text
    assert confirm.json() == {
        "deal_id": "dz",
        "reason": "self_dealing",
        "decision": "confirm",
        "registration": {"deal_id": "dz", "status": "rejected", "open_flags": []},
    }
    clear = await client.post("/anomalies/dy/flags/multi_partner_customer/clear", json={}, headers=manager)
    assert clear.status_code == 200, clear.text
    assert recorded.calls == [
        {
            "path": "/deals/dz/flags/self_dealing/confirm",
            "authorization": manager["Authorization"],
            "idempotency_key": "k-1",
            "body": {"note": "own company"},
        },
        {
            "path": "/deals/dy/flags/multi_partner_customer/clear",
            "authorization": manager["Authorization"],
            "idempotency_key": None,
            "body": {"note": None},
        },
    ]

    refused = await client.post("/anomalies/decided/flags/self_dealing/clear", json={}, headers=manager)
    assert (refused.status_code, refused.json()["detail"]) == (409, "the flag is not open")
    assert (await client.post("/anomalies/dz/flags/self_dealing/confirm", json={}, headers=manager)).status_code == 422
    assert (await client.post("/anomalies/dz/flags/nonsense/clear", json={}, headers=manager)).status_code == 422
    assert (
        await client.post("/anomalies/dz/flags/registration_velocity/clear", json={}, headers=manager)
    ).status_code == 404
    assert (
        await client.post("/anomalies/unknown/flags/self_dealing/clear", json={}, headers=manager)
    ).status_code == 404
    partner = auth_header(insights_settings, "partner:read", partner_id="p-1")
    assert (await client.post("/anomalies/dz/flags/self_dealing/clear", json={}, headers=partner)).status_code == 403
    assert len(recorded.calls) == 3  # only the refused one reached registration besides the two
