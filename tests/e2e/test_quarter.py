"""A quarter of activity for four partners through Kafka: registration and MDF events are written to a
registration database's outbox (as those services do), the real relay publishes them, and the real
projector turns them into the ledger. Balances, tiers, caps, holds and clawbacks are checked against
amounts worked out by hand below, from the program's rules, not from the code.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import asyncpg
import orjson
from incentive_contracts import topics
from incentive_contracts.events import deal, engagement, mdf, partner
from incentive_contracts.money import Money
from incentive_contracts.payload import EventPayload
from ledger.entrypoints.api import create_app as ledger_app
from servicekit.db import create_engine, sync_url
from servicekit.testing.client import app_client, auth_header
from servicekit.unit_of_work import UnitOfWorkFactory

from .workers import eventually, projector_task, relay_task

PROGRAM = """\
program: q1
title: Q1 growth program
tiers:
  levels:
    - id: registered
    - id: silver
      qualify: {won_revenue: {USD: "100000"}, points: 10}
engagement_points: {quarterly_business_review: 10}
rebate:
  percent:
    registered: {default: "4"}
    silver: {default: "5", cloud: "6"}
growth_accelerator: {multiplier: "1.5", quarterly_target: {default: {USD: "150000"}}}
registration_bonus: {percent: "1"}
influence: {required: true}
spiffs:
  - {id: q1-security, product_lines: [security], from: 2026-01-01, to: 2026-03-31, amount: {USD: "1000"}}
caps: {per_deal: {USD: "10000"}, per_partner_quarter: {USD: "15000"}}
stacking: {max_combined_percent: "10"}
mdf_accrual: {percent: "2"}
clawback: {window_days: 60, partial: pro_rata}
"""
PARTNERS = ("north", "south", "east", "west")
D = Decimal


def usd(amount: str) -> Money:
    return Money(amount=Decimal(amount), currency="USD")


def won(pid: str, deal_id: str, amount: str, closed: date, line: str, *, registered: bool, influenced: bool = True):  # type: ignore[no-untyped-def]
    proof = [
        deal.InfluenceActivity(kind="joint_demo", occurred_on=closed - timedelta(days=5), evidence_ref="crm://demo")
    ]
    return deal.DealWon(
        partner_id=pid,
        deal_id=deal_id,
        product_line=line,
        amount=usd(amount),
        closed_on=closed,
        registered=registered,
        influence=proof if influenced else [],
    )


def flag(pid: str, deal_id: str, on: date, reason: str = "self_dealing") -> deal.DealFlagged:
    return deal.DealFlagged(
        partner_id=pid, deal_id=deal_id, reason=deal.FlagReason(reason), detail="review", flagged_on=on
    )


def activity() -> tuple[list[EventPayload], list[EventPayload]]:
    """(registration events, MDF events) of the quarter, each list in its own stream order."""
    registration: list[EventPayload] = [
        # north: promoted to silver by its second deal, then earns the accelerator
        engagement.EngagementRecorded(
            partner_id="north",
            engagement_id="n-qbr",
            kind="quarterly_business_review",
            occurred_on=date(2026, 1, 10),
            evidence_ref="crm://qbr",
        ),
        won("north", "n1", "80000.00", date(2026, 1, 20), "storage", registered=True),
        won("north", "n2", "50000.00", date(2026, 2, 10), "cloud", registered=False),
        won("north", "n3", "60000.00", date(2026, 3, 5), "cloud", registered=True),
        # south: per-deal and quarterly caps
        won("south", "s1", "150000.00", date(2026, 1, 15), "security", registered=True),
        won("south", "s2", "200000.00", date(2026, 2, 20), "storage", registered=False),
        # east: holds, and a deal without proof of influence
        won("east", "e1", "40000.00", date(2026, 1, 25), "cloud", registered=True),
        flag("east", "e1", date(2026, 1, 26)),
        won("east", "e2", "30000.00", date(2026, 2, 15), "cloud", registered=False, influenced=False),
        flag("east", "e3", date(2026, 2, 1), "registration_velocity"),
        won("east", "e3", "20000.00", date(2026, 3, 1), "storage", registered=True),
        deal.DealFlagCleared(
            partner_id="east", deal_id="e1", reason="self_dealing", cleared_on=date(2026, 3, 10), cleared_by="manager"
        ),
        # west: a clawback inside the window, a reversal outside it
        won("west", "w2", "20000.00", date(2026, 1, 2), "cloud", registered=False),
        won("west", "w1", "50000.00", date(2026, 1, 20), "security", registered=True),
        deal.DealReversed(
            partner_id="west",
            deal_id="w1",
            reversed_on=date(2026, 2, 25),
            amount=usd("50000.00"),
            full=True,
            reason="cancelled",
        ),
        deal.DealReversed(
            partner_id="west",
            deal_id="w2",
            reversed_on=date(2026, 3, 31),
            amount=usd("5000.00"),
            full=False,
            reason="refunded",
        ),
    ]
    funds: list[EventPayload] = [
        mdf.MdfAllocated(
            partner_id="west",
            allocation_id="al-w",
            period="2026-Q1",
            amount=usd("10000.00"),
            allocated_on=date(2026, 1, 5),
        ),
        mdf.MdfRequestApproved(
            partner_id="west",
            request_id="rq-w",
            period="2026-Q1",
            requested_amount=usd("3000.00"),
            approved_amount=usd("3000.00"),
            approved_on=date(2026, 2, 5),
            approved_by="manager",
            claim_deadline=date(2026, 4, 30),
        ),
        mdf.MdfDisbursed(
            partner_id="west",
            disbursement_id="db-w",
            request_id="rq-w",
            period="2026-Q1",
            milestone="plan",
            trigger="plan_approved",
            amount=usd("2000.00"),
            disbursed_on=date(2026, 3, 15),
        ),
    ]
    return registration, funds


# Worked out by hand from PROGRAM (credit-normal partner balances, USD):
# north  n1 80000 storage, registered tier 4 % = 3200.00, bonus 1 % = 800.00; MDF 2 % = 1600.00
#        n2 50000 cloud 4 % = 2000.00 (not registered); MDF 1000.00; 130000 won + 10 points -> silver
#        n3 60000 cloud silver 6 % = 3600.00; 40000 above the 150000 target: 40000 x 6 % x 0.5 = 1200.00;
#           bonus 600.00 (5400 <= 10 % = 6000, deal cap 10000, quarter room 9000); MDF 1200.00
#        payable 3200 + 800 + 2000 + 3600 + 1200 + 600 = 11400.00; MDF 3800.00
# south  s1 150000 security 4 % = 6000.00, bonus 1500.00, SPIFF 1000.00 (no accelerator: 0 above target) = 8500.00
#        s2 200000 storage 4 % = 8000.00, accelerator 200000 x 4 % x 0.5 = 4000.00: deal cap 10000 caps 2000 of it;
#           quarter cap: room 15000 - 8500 = 6500 -> rebate 6500 paid (1500 capped), accelerator 0 (4000 capped)
#        payable 15000.00, capped 5500.00; MDF 3000 + 4000 = 7000.00
# east   e1 40000 cloud 1600 + 400 = 2000.00, held, then released; e2 no proof of influence: 0; e3 flagged before
#        its win: 800 + 200 = 1000.00 held; payable 2000.00, held 1000.00; MDF 800 + 600 = 1400.00 available,
#        e3's 400.00 held (mdf_held) until its flag is cleared
# west   w2 20000 cloud 800.00, MDF 400.00; w1 50000 security 2000 + 500 + 1000 SPIFF = 3500.00, MDF 1000.00;
#        w1 cancelled after 36 days (window 60): all 3500 clawed back, the 1000 MDF asked of the mdf service
#        (ledger.mdf_accrual_reversed) and posted from its answer (mdf.accrual_clawed_back); w2's refund after 88 days
#        is outside the window: nothing clawed back. payable 800.00
#        MDF: 10000 allocated + 400 + 1000 - 1000 - 3000 reserved = 7400.00 available, 1000.00 reserved, 2000.00 paid
EXPECTED = {
    "north": {"rebates_payable": "11400.00", "mdf_available": "3800.00"},
    "south": {"rebates_payable": "15000.00", "rebates_capped": "5500.00", "mdf_available": "7000.00"},
    "east": {"rebates_payable": "2000.00", "rebates_held": "1000.00", "mdf_available": "1400.00", "mdf_held": "400.00"},
    "west": {
        "rebates_payable": "800.00",
        "mdf_available": "7400.00",
        "mdf_reserved": "1000.00",
        "mdf_disbursed": "2000.00",
    },
}
TIERS = {"north": "silver", "south": "registered", "east": "registered", "west": "registered"}


def clawed_back(asked: dict) -> mdf.MdfAccrualClawedBack:  # type: ignore[type-arg]
    """The mdf service's answer to a ledger.mdf_accrual_reversed when the whole amount is available."""
    return mdf.MdfAccrualClawedBack(
        partner_id=asked["partner_id"],
        deal_id=asked["deal_id"],
        reversal_entry_id=asked["entry_id"],
        reverses=asked["reverses"],
        period=asked["period"],
        amount=Money.model_validate(asked["amount"]),
        requested=Money.model_validate(asked["amount"]),
        unrecovered=Money(amount=D("0.00"), currency=asked["amount"]["currency"]),
        clawed_on=date(2026, 2, 26),
    )


async def write(settings, source: str, topic: str, events: list[EventPayload]) -> int:  # type: ignore[no-untyped-def]
    engine = create_engine(settings.database_url, pool_size=1)
    factory = UnitOfWorkFactory(engine, source=source, topic=topics.prefixed(topic, settings.topic_prefix))
    try:
        async with factory() as uow:
            for event in events:
                uow.publish(event, time=datetime.now(UTC))
            await uow.commit()
    finally:
        await engine.dispose()
    return len(events)


async def test_a_quarter_for_four_partners(registration_settings, ledger_settings):
    admin = auth_header(ledger_settings, "program:admin")
    reader = auth_header(ledger_settings, "ledger:read")
    async with app_client(ledger_app(ledger_settings)) as led:
        drafted = await led.post(
            "/programs/q1/versions", content=PROGRAM, headers={**admin, "Content-Type": "application/yaml"}
        )
        assert drafted.status_code == 201, drafted.text
        published = await led.post(
            "/programs/q1/versions/1/publish",
            headers=admin,
            json={
                "effective_from": "2026-01-01",
                "correction": True,
                "reason": "the Q1 terms, entered after the quarter",
            },
        )
        assert published.status_code == 200, published.text

        async with relay_task(registration_settings, "registration"), projector_task(ledger_settings):
            registration, funds = activity()
            enrolments = [
                partner.PartnerEnrolled(
                    partner_id=p,
                    name=p.title(),
                    partner_type=partner.PartnerType.RESELLER,
                    region="EMEA",
                    program_id="q1",
                    enrolled_on=date(2026, 1, 2),
                )
                for p in PARTNERS
            ]
            sent = await write(registration_settings, "/registration", topics.REGISTRATION, enrolments)

            async def enrolled():
                return all(
                    [(await led.get(f"/partners/{p}/tier", headers=reader)).status_code == 200 for p in PARTNERS]
                )

            await eventually(enrolled)  # the MDF service only funds partners it knows, and so does the ledger
            sent += await write(registration_settings, "/registration", topics.REGISTRATION, registration)
            sent += await write(registration_settings, "/mdf", topics.MDF, funds)

            conn = await asyncpg.connect(sync_url(ledger_settings.database_url))
            try:

                async def all_consumed():
                    return await conn.fetchval("SELECT count(*) FROM consumed_events") >= sent

                await eventually(all_consumed, timeout=60)
                # The ledger asks the mdf service to take w1's accrual back; the service answers (here by
                # hand: the whole 1000.00 was available) and only that answer moves mdf_available.
                asked = [
                    orjson.loads(r["payload"])["data"]
                    for r in await conn.fetch(
                        "SELECT payload FROM outbox WHERE event_type = 'ledger.mdf_accrual_reversed'"
                    )
                ]
                assert [(a["partner_id"], a["deal_id"], a["amount"]["amount"]) for a in asked] == [
                    ("west", "w1", "1000.00")
                ]
                sent += await write(registration_settings, "/mdf", topics.MDF, [clawed_back(asked[0])])
                await eventually(all_consumed, timeout=60)
                assert await conn.fetchval("SELECT count(*) FROM dead_letters") == 0
                per_currency = await conn.fetch("SELECT currency, sum(amount) AS total FROM postings GROUP BY currency")
                assert [(r["currency"], r["total"]) for r in per_currency] == [("USD", 0)]
                clawed = await conn.fetch(
                    "SELECT c.reverses, o.kind FROM journal_entries c "
                    "JOIN journal_entries o ON o.entry_id = c.reverses WHERE c.kind = 'clawback' AND c.deal_id = 'w1'"
                )
                assert sorted(r["kind"] for r in clawed) == ["rebate", "registration_bonus", "spiff"]
                mdf_back = await conn.fetchval(
                    "SELECT o.kind FROM journal_entries c JOIN journal_entries o ON o.entry_id = c.reverses "
                    "WHERE c.kind = 'mdf_accrual_clawback' AND c.deal_id = 'w1'"
                )
                assert mdf_back == "mdf_accrual"
                outside = await conn.fetchval(
                    "SELECT explanation->>'summary' FROM journal_entries WHERE kind = 'clawback' AND deal_id = 'w2'"
                )
                assert "outside the 60-day clawback window" in outside
                no_influence = await conn.fetchval(
                    "SELECT explanation->>'summary' FROM journal_entries WHERE kind = 'rebate' AND deal_id = 'e2'"
                )
                assert "proof-of-influence" in no_influence
                tier_events = await conn.fetch(
                    "SELECT payload FROM outbox WHERE event_type = 'partner.tier_changed' ORDER BY id"
                )
                changes = [orjson.loads(r["payload"])["data"] for r in tier_events]
                assert sorted((c["partner_id"], c["previous_tier"] or "-", c["tier"]) for c in changes) == [
                    ("east", "-", "registered"),
                    ("north", "-", "registered"),
                    ("north", "registered", "silver"),
                    ("south", "-", "registered"),
                    ("west", "-", "registered"),
                ]
            finally:
                await conn.close()

        for p in PARTNERS:
            body = (await led.get(f"/partners/{p}/balances", headers=reader)).json()
            owed = {b["purpose"]: b["balance"] for b in body["balances"] if D(b["balance"]) != 0}
            assert owed == EXPECTED[p], p
            assert (await led.get(f"/partners/{p}/tier", headers=reader)).json()["tier"] == TIERS[p], p
        south = (await led.get("/entries?partner_id=south&deal_id=s2&kind=growth_accelerator", headers=reader)).json()
        (accelerator,) = south["items"]
        assert accelerator["explanation"]["capped_by"] == [
            "per-deal cap 10000.00 USD",
            "2026-Q1 partner cap (room 6500.00 of 15000) 6500.00 USD",
        ]
