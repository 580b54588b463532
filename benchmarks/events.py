"""Deterministic event streams: partner enrolments and deal lifecycles (registered, approved, won)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

from incentive_contracts.events.deal import DealApproved, DealRegistered, DealWon
from incentive_contracts.events.partner import PartnerEnrolled, PartnerType
from incentive_contracts.money import Money
from incentive_contracts.payload import EventPayload

# Business dates in the past year, so a payout cut as of now covers every entry.
ENROLLED_ON = date(2025, 1, 5)
RECORDED_AT = datetime(2025, 1, 5, 9, tzinfo=UTC)
PRODUCT_LINES = ("cloud", "security", "networking", "storage")


def partner_id(index: int) -> str:
    return f"bp{index:05d}"


def enrolment(index: int) -> EventPayload:
    return PartnerEnrolled(
        partner_id=partner_id(index),
        name=f"Bench Partner {index}",
        partner_type=PartnerType.RESELLER,
        region=("EMEA", "AMER", "APAC")[index % 3],
        program_id="default",
        enrolled_on=ENROLLED_ON,
    )


def won_amount(partner: int, deal: int) -> Decimal:
    """Exact amounts with cents, varied so rounding is exercised."""
    return Decimal(f"{1000 + (partner * 37 + deal * 101) % 9000}.{(partner * 31 + deal * 17) % 100:02d}")


def close_date(partner: int, deal: int) -> date:
    return date(2025, 2 + (partner + deal) % 10, 1 + (deal % 28))


def deal_events(partner: int, deal: int, *, lifecycle: bool = True) -> list[EventPayload]:
    """A deal's events as the registration service emits them: registered, approved, won."""
    pid = partner_id(partner)
    deal_id = f"{pid}-d{deal:05d}"
    product = PRODUCT_LINES[(partner + deal) % len(PRODUCT_LINES)]
    amount = Money(amount=won_amount(partner, deal), currency="USD")
    closed = close_date(partner, deal)
    won = DealWon(
        partner_id=pid,
        deal_id=deal_id,
        product_line=product,
        amount=amount,
        closed_on=closed,
        registered=True,
        influence=[],
    )
    if not lifecycle:
        return [won]
    registered_on = date(2025, 1, 10)
    return [
        DealRegistered(
            partner_id=pid,
            deal_id=deal_id,
            customer_name=f"Customer {pid} {deal}",
            customer_domain=f"c{deal}.{pid}.example.com",
            product_line=product,
            expected_amount=amount,
            expected_close=closed,
            registered_on=registered_on,
        ),
        DealApproved(partner_id=pid, deal_id=deal_id, approved_on=registered_on, approved_by="auto"),
        won,
    ]


def deal_stream(partners: int, events: int, *, lifecycle: bool = True) -> Iterator[EventPayload]:
    """``events`` deal events, round-robin over the partners (each deal's events in order)."""
    sent = 0
    deal = 0
    while sent < events:
        for partner in range(partners):
            for event in deal_events(partner, deal, lifecycle=lifecycle):
                if sent == events:
                    return
                yield event
                sent += 1
        deal += 1


def event_time(payload: EventPayload) -> datetime:
    """When the producer recorded it: the business date at noon (deterministic)."""
    for name in ("closed_on", "approved_on", "registered_on", "enrolled_on"):
        day = getattr(payload, name, None)
        if isinstance(day, date):
            return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    return RECORDED_AT
