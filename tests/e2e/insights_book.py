"""A deterministic partner book as the other services would publish it (for the insights end-to-end
test), and the figures expected from it, computed straight from the events without the insights code."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from incentive_contracts.events import deal as d
from incentive_contracts.events import ledger as led
from incentive_contracts.events import mdf as m
from incentive_contracts.events.engagement import EngagementKind, EngagementRecorded
from incentive_contracts.events.partner import PartnerEnrolled, PartnerTierChanged, PartnerType
from incentive_contracts.money import Money
from incentive_contracts.payload import EventPayload

START, END = date(2025, 7, 1), date(2026, 6, 30)
REGIONS, VERTICALS, TIERS = ("emea", "amer", "apac"), ("health", "finance", None), ("gold", "silver", "registered")
POINTS = {
    "quarterly_business_review": 10,
    "joint_business_plan": 15,
    "enablement_session": 3,
    "certification": 8,
    "joint_marketing_activity": 5,
}


def usd(amount: int) -> Money:
    return Money(amount=f"{amount}.00", currency="USD")


@dataclass
class Book:
    events: list[tuple[date, EventPayload]] = field(default_factory=list)

    def add(self, on: date, payload: EventPayload) -> None:
        self.events.append((on, payload))

    def ordered(self) -> list[EventPayload]:
        """Each partner's events in date order (the order the producers publish them in)."""
        return [p for _, p in sorted(self.events, key=lambda e: (e[1].partner_id, e[0]))]


def _at(on: date) -> datetime:
    return datetime.combine(on, time(10), UTC)


def _deal(book: Book, rng: random.Random, pid: str, deal_id: str) -> None:
    registered = START + timedelta(days=rng.randrange((END - START).days - 20))
    amount = rng.randrange(10, 200) * 100
    book.add(
        registered,
        d.DealRegistered(
            partner_id=pid,
            deal_id=deal_id,
            customer_name="Customer",
            product_line="core",
            expected_amount=usd(amount),
            expected_close=registered + timedelta(days=90),
            registered_on=registered,
        ),
    )
    outcome = rng.choice(["won", "won", "lost", "expired", "rejected", "open"])
    if outcome == "rejected":
        book.add(
            registered + timedelta(days=1),
            d.DealRejected(
                partner_id=pid,
                deal_id=deal_id,
                rejected_on=registered + timedelta(days=1),
                rejected_by="mgr",
                reason="duplicate",
            ),
        )
        return
    day = registered + timedelta(days=1)
    book.add(day, d.DealApproved(partner_id=pid, deal_id=deal_id, approved_on=day, approved_by="auto"))
    stage = d.PipelineStage.APPROVED
    for following in (d.PipelineStage.QUALIFIED, d.PipelineStage.PROPOSAL)[: rng.randrange(3)]:
        day += timedelta(days=rng.randrange(3, 20))
        if day > END:
            return
        book.add(
            day,
            d.DealStageChanged(
                partner_id=pid,
                deal_id=deal_id,
                from_stage=stage,
                to_stage=following,
                changed_at=_at(day),
                forecast_close=registered + timedelta(days=90),
                source="api",
            ),
        )
        stage = following
    closed = day + timedelta(days=rng.randrange(5, 100))
    if outcome == "open" or closed > END:
        return
    if outcome == "won":
        book.add(
            closed,
            d.DealWon(
                partner_id=pid,
                deal_id=deal_id,
                product_line="core",
                amount=usd(amount + rng.randrange(0, 20) * 100),
                closed_on=closed,
                registered=True,
            ),
        )
    elif outcome == "lost":
        book.add(closed, d.DealLost(partner_id=pid, deal_id=deal_id, lost_on=closed))
    else:
        book.add(
            closed, d.DealExpired(partner_id=pid, deal_id=deal_id, expired_on=closed, last_progress_on=day, stage=stage)
        )


def _marketing(book: Book, rng: random.Random, pid: str, n: int) -> None:
    submitted = START + timedelta(days=rng.randrange((END - START).days - 40))
    asked, granted = rng.randrange(5, 50) * 100, 0
    rid = f"{pid}-r{n}"
    book.add(
        submitted,
        m.MdfRequestSubmitted(
            partner_id=pid,
            request_id=rid,
            period="2026-Q1",
            activity_type="webinar",
            title="Webinar",
            planned_cost=usd(asked * 2),
            requested_amount=usd(asked),
            partner_share="0.50",
            starts_on=submitted,
            ends_on=submitted,
            expected_results=m.ExpectedResults(),
            milestones=[],
            submitted_on=submitted,
            submitted_by="someone",
        ),
    )
    granted = asked - rng.randrange(0, 5) * 100
    book.add(
        submitted + timedelta(days=2),
        m.MdfRequestApproved(
            partner_id=pid,
            request_id=rid,
            period="2026-Q1",
            requested_amount=usd(asked),
            approved_amount=usd(granted),
            approved_on=submitted + timedelta(days=2),
            approved_by="mgr",
            claim_deadline=END,
        ),
    )
    paid = submitted + timedelta(days=rng.randrange(10, 35))
    book.add(
        paid,
        m.MdfDisbursed(
            partner_id=pid,
            disbursement_id=f"{rid}-d",
            request_id=rid,
            period="2026-Q1",
            milestone="proof",
            trigger="proof_approved",
            amount=usd(granted),
            disbursed_on=paid,
        ),
    )
    book.add(
        paid,
        m.MdfResultsReported(
            partner_id=pid,
            result_id=f"{rid}-x",
            request_id=rid,
            period="2026-Q1",
            activity_type="webinar",
            spend=usd(granted),
            results=m.CampaignResults(
                registrations=40, attendees=30, leads=rng.randrange(1, 20), opportunities_influenced=2
            ),
            reported_on=paid,
        ),
    )


def build_book(partners: int = 10, deals: int = 6, seed: int = 15) -> Book:
    rng, book = random.Random(seed), Book()
    for i in range(1, partners + 1):
        pid = f"ip{i:02d}"
        enrolled = date(2025, 1, 1) + timedelta(days=rng.randrange(300))
        book.add(
            enrolled,
            PartnerEnrolled(
                partner_id=pid,
                name=f"Partner {i}",
                partner_type=PartnerType.RESELLER,
                region=REGIONS[i % 3],
                vertical=VERTICALS[i % 3],
                program_id="core",
                enrolled_on=enrolled,
            ),
        )
        book.add(
            enrolled,
            PartnerTierChanged(
                partner_id=pid,
                program_id="core",
                previous_tier=None,
                tier=TIERS[i % 3],
                effective_at=enrolled,
                reason="review",
                rule_version=1,
            ),
        )
        program = "core-pilot" if i <= 3 else "core"
        book.add(
            START,
            led.LedgerEntryPosted(
                partner_id=pid,
                entry_id=f"{pid}-e",
                caused_by="x",
                kind="rebate",
                rule_id=f"{program}/rebate",
                rule_version=1,
                postings=[led.PostingLine(account="expense", amount=usd(1))],
                entry_hash="h",
            ),
        )
        for n in range(deals):
            _deal(book, rng, pid, f"{pid}-d{n}")
        for n in range(2):
            _marketing(book, rng, pid, n)
        for n in range(3):
            on = START + timedelta(days=rng.randrange((END - START).days))
            book.add(
                on,
                EngagementRecorded(
                    partner_id=pid,
                    engagement_id=f"{pid}-g{n}",
                    kind=rng.choice(list(EngagementKind)),
                    occurred_on=on,
                    evidence_ref="doc",
                ),
            )
    return book
