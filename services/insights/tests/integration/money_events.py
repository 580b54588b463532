"""Events for the money read models' tests, fed with chosen event ids and times (a ledger entry's
``caused_by`` names the event that caused it), through the consumer's own handler and inbox."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from incentive_contracts import topics
from incentive_contracts.events import deal as d
from incentive_contracts.events import ledger as led
from incentive_contracts.events.partner import PartnerEnrolled, PartnerType
from incentive_contracts.money import Money
from incentive_contracts.payload import EventPayload
from incentive_contracts.producers import source_for
from incentive_contracts.registry import encode
from insights.config import InsightsSettings
from insights.entrypoints.consumer import READ_MODELS, ReadModelHandler
from servicekit.consumer import Inbound


@dataclass(frozen=True)
class Fed:
    payload: EventPayload
    event_id: str | None = None
    time: datetime = datetime(2026, 1, 1, 12, tzinfo=UTC)


async def feed_events(settings: InsightsSettings, events: Sequence[Fed | EventPayload]) -> int:
    """Apply the events in order in one unit of work; returns how many were rejected or parked."""
    inbound = []
    for n, item in enumerate(events):
        fed = item if isinstance(item, Fed) else Fed(item)
        source = source_for(fed.payload.event_type)
        envelope = encode(fed.payload, source=source, time=fed.time, sequence=n + 1, event_id=fed.event_id)
        inbound.append(Inbound(envelope, fed.payload, topics.topic_for_source(source), 0, n, envelope.to_json()))
    factory = READ_MODELS.uow_factory(settings, pool_size=1)
    try:
        async with factory() as uow:
            rejected = await ReadModelHandler().handle(uow, inbound)
            await uow.commit()
    finally:
        await factory.engine.dispose()
    return len(rejected)


def usd(amount: str | int) -> Money:
    return Money(amount=Decimal(amount), currency="USD")


def enrolled(partner_id: str, on: date = date(2025, 1, 6)) -> PartnerEnrolled:
    return PartnerEnrolled(
        partner_id=partner_id,
        name=f"Partner {partner_id}",
        partner_type=PartnerType.RESELLER,
        region="emea",
        vertical="health",
        program_id="core",
        enrolled_on=on,
    )


def won(partner_id: str, deal_id: str, amount: int, closed_on: date, product_line: str = "cloud") -> Fed:
    event = d.DealWon(
        partner_id=partner_id,
        deal_id=deal_id,
        product_line=product_line,
        amount=usd(amount),
        closed_on=closed_on,
        registered=True,
    )
    return Fed(event, event_id=f"won-{deal_id}")


def registered(partner_id: str, deal_id: str, amount: int, on: date) -> d.DealRegistered:
    return d.DealRegistered(
        partner_id=partner_id,
        deal_id=deal_id,
        customer_name=f"Customer of {deal_id}",
        product_line="cloud",
        expected_amount=usd(amount),
        expected_close=on,
        registered_on=on,
    )


def entry(partner_id: str, entry_id: str, kind: str, rule_id: str, caused_by: str, *postings: tuple[str, str]) -> Fed:
    event = led.LedgerEntryPosted(
        partner_id=partner_id,
        entry_id=entry_id,
        caused_by=caused_by,
        kind=kind,
        postings=[led.PostingLine(account=account, amount=usd(amount)) for account, amount in postings],
        rule_id=rule_id,
        rule_version=1,
        entry_hash="0" * 64,
    )
    return Fed(event, event_id=f"posted-{entry_id}")


def reward(partner_id: str, entry_id: str, component: str, deal_id: str, amount: str) -> Fed:
    """A reward entry of program ``core`` for the deal's win (``caused_by`` = the win's event id)."""
    group = component.split(":", 1)[0]
    return entry(
        partner_id,
        entry_id,
        group,
        f"core/{component}",
        f"won-{deal_id}",
        (f"program:core:{group}_expense", amount),
        (f"partner:{partner_id}:rebates_payable", f"-{amount}"),
    )
