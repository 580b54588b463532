"""Small builders for domain tests: a partner, a registration command, a deal taken through events."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from incentive_contracts.events.partner import PartnerType
from incentive_contracts.money import Money
from registration.domain import deal as model
from registration.domain.partner import Partner
from registration.domain.policy import RegistrationPolicy
from registration.domain.registration import RegisterDeal, RegistrationBook
from registration.domain.stages import ChangeStage, decide_stage_change

DAY = date(2026, 3, 2)


def usd(amount: str) -> Money:
    return Money(amount=Decimal(amount), currency="USD")


def partner(partner_id: str = "acme", **changes: object) -> Partner:
    values: dict[str, object] = {
        "partner_id": partner_id,
        "name": partner_id.title(),
        "partner_type": PartnerType.RESELLER,
        "region": "EMEA",
        "vertical": None,
        "domain": f"{partner_id}.example",
        "program_id": "growth",
        "enrolled_on": date(2026, 1, 1),
    }
    values.update(changes)
    return Partner(**values)  # type: ignore[arg-type]


def register(deal_id: str = "d1", partner_id: str = "acme", **changes: object) -> RegisterDeal:
    values: dict[str, object] = {
        "deal_id": deal_id,
        "partner_id": partner_id,
        "customer_name": "Globex Inc.",
        "customer_domain": "globex.example",
        "product_line": "Cloud",
        "expected_amount": usd("1000.00"),
        "expected_close": date(2026, 6, 30),
        "registered_on": DAY,
    }
    values.update(changes)
    return RegisterDeal(**values)  # type: ignore[arg-type]


def approved_deal(deal_id: str = "d1", partner_id: str = "acme", **changes: object) -> model.Deal:
    book = RegistrationBook(RegistrationPolicy())
    events = book.decide(register(deal_id, partner_id, **changes), partner(partner_id))
    deal = model.fold(events)
    assert deal is not None
    assert deal.status == model.Status.APPROVED, events
    return deal


def at_stage(stage: model.Stage, **changes: object) -> model.Deal:
    deal = approved_deal(**changes)
    order = [model.Stage.QUALIFIED, model.Stage.PROPOSAL, model.Stage.NEGOTIATION]
    for step in order[: order.index(stage) + 1] if stage in order else []:
        moment = datetime(2026, 3, 10, tzinfo=UTC)
        deal = model.fold(decide_stage_change(deal, ChangeStage(deal.deal_id, step, moment)), deal)  # type: ignore[assignment]
    return deal
