"""The deal-registration aggregate (slice: register with auto-approval, win)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum

from incentive_contracts.events.deal import DealApproved, DealRegistered, DealWon
from incentive_contracts.money import Money
from incentive_contracts.payload import EventPayload

from .errors import AlreadyExists, InvalidTransition, RuleViolation


class Stage(StrEnum):
    REGISTERED = "registered"
    APPROVED = "approved"
    WON = "won"


ALLOWED: dict[Stage, list[Stage]] = {
    Stage.REGISTERED: [Stage.APPROVED],
    Stage.APPROVED: [Stage.WON],
    Stage.WON: [],
}


@dataclass(frozen=True)
class Deal:
    deal_id: str
    partner_id: str
    customer_name: str
    customer_domain: str | None
    product_line: str
    expected_amount: Money
    expected_close: date
    registered_on: date
    stage: Stage
    final_amount: Money | None = None
    closed_on: date | None = None


@dataclass(frozen=True)
class RegisterDeal:
    deal_id: str
    partner_id: str
    customer_name: str
    customer_domain: str | None
    product_line: str
    expected_amount: Money
    expected_close: date
    registered_on: date


@dataclass(frozen=True)
class WinDeal:
    deal_id: str
    amount: Money
    closed_on: date


def decide_register(state: Deal | None, command: RegisterDeal) -> list[EventPayload]:
    if state is not None:
        raise AlreadyExists(f"deal {command.deal_id} is already registered")
    if command.expected_amount.amount <= Decimal(0):
        raise RuleViolation("expected amount must be positive")
    registered = DealRegistered(
        partner_id=command.partner_id,
        deal_id=command.deal_id,
        customer_name=command.customer_name,
        customer_domain=command.customer_domain,
        product_line=command.product_line,
        expected_amount=command.expected_amount,
        expected_close=command.expected_close,
        registered_on=command.registered_on,
    )
    approved = DealApproved(
        partner_id=command.partner_id, deal_id=command.deal_id, approved_on=command.registered_on, approved_by="auto"
    )
    return [registered, approved]


def decide_win(state: Deal, command: WinDeal) -> list[EventPayload]:
    if Stage.WON not in ALLOWED[state.stage]:
        raise InvalidTransition(
            f"deal {state.deal_id} is {state.stage}; it cannot be won", [s.value for s in ALLOWED[state.stage]]
        )
    if command.amount.amount <= Decimal(0):
        raise RuleViolation("won amount must be positive")
    return [
        DealWon(
            partner_id=state.partner_id,
            deal_id=state.deal_id,
            product_line=state.product_line,
            amount=command.amount,
            closed_on=command.closed_on,
            registered=True,
            influence=[],
        )
    ]


def evolve(state: Deal | None, event: EventPayload) -> Deal | None:
    if isinstance(event, DealRegistered):
        return Deal(
            deal_id=event.deal_id,
            partner_id=event.partner_id,
            customer_name=event.customer_name,
            customer_domain=event.customer_domain,
            product_line=event.product_line,
            expected_amount=event.expected_amount,
            expected_close=event.expected_close,
            registered_on=event.registered_on,
            stage=Stage.REGISTERED,
        )
    if state is None:
        return None
    if isinstance(event, DealApproved):
        return replace(state, stage=Stage.APPROVED)
    if isinstance(event, DealWon):
        return replace(state, stage=Stage.WON, final_amount=event.amount, closed_on=event.closed_on)
    return state
