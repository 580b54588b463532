"""Stage gates: approved -> qualified -> proposal -> negotiation -> won | lost; reversals; expiry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from incentive_contracts.events.deal import (
    DealExpired,
    DealFlagged,
    DealForecastChanged,
    DealLost,
    DealReversed,
    DealStageChanged,
    DealWon,
    InfluenceActivity,
    PipelineStage,
)
from incentive_contracts.money import Money
from incentive_contracts.payload import EventPayload

from .deal import OPEN_STAGES, Deal, Stage, Status
from .errors import InvalidTransition, RuleViolation
from .policy import AnomalyPolicy
from .registration import close_timing

NEXT_STAGE: dict[Stage, Stage] = {
    Stage.APPROVED: Stage.QUALIFIED,
    Stage.QUALIFIED: Stage.PROPOSAL,
    Stage.PROPOSAL: Stage.NEGOTIATION,
    Stage.NEGOTIATION: Stage.WON,
}


def allowed_moves(deal: Deal) -> list[str]:
    """What the deal can do next, named as the API names it."""
    if deal.status == Status.PENDING:
        return ["approve", "reject"]
    if deal.status == Status.CONFLICT:
        return ["award", "reject"]
    if deal.status == Status.WON:
        return ["reversed"]
    if deal.status != Status.APPROVED:
        return []
    return [NEXT_STAGE[deal.stage].value, Stage.LOST.value]


def _refuse(deal: Deal, target: str) -> InvalidTransition:
    where = f"{deal.status}" if deal.status != Status.APPROVED else f"at stage {deal.stage}"
    return InvalidTransition(f"deal {deal.deal_id} is {where}; it cannot move to {target}", allowed_moves(deal))


@dataclass(frozen=True)
class ChangeStage:
    deal_id: str
    to_stage: Stage
    changed_at: datetime
    forecast_close: date | None = None
    source: str = "api"


@dataclass(frozen=True)
class WinDeal:
    deal_id: str
    amount: Money
    closed_on: date


@dataclass(frozen=True)
class LoseDeal:
    deal_id: str
    lost_on: date
    reason: str | None = None


@dataclass(frozen=True)
class ReverseDeal:
    deal_id: str
    reversed_on: date
    reason: str
    amount: Money | None = None  # None: the whole remaining amount


@dataclass(frozen=True)
class ChangeForecast:
    deal_id: str
    changed_at: datetime
    expected_amount: Money | None = None
    expected_close: date | None = None


def decide_stage_change(deal: Deal, command: ChangeStage) -> list[EventPayload]:
    target = command.to_stage
    if target in (Stage.WON, Stage.LOST, Stage.APPROVED, Stage.REGISTERED):
        raise RuleViolation(f"use the dedicated command to move a deal to {target}")
    if deal.status != Status.APPROVED or NEXT_STAGE.get(deal.stage) != target:
        raise _refuse(deal, target.value)
    if deal.approved_on is not None and command.changed_at.date() < deal.approved_on:
        raise RuleViolation(f"changed_at {command.changed_at.date()} is before the approval ({deal.approved_on})")
    return [
        DealStageChanged(
            partner_id=deal.partner_id,
            deal_id=deal.deal_id,
            from_stage=PipelineStage(deal.stage.value),
            to_stage=PipelineStage(target.value),
            changed_at=command.changed_at,
            forecast_close=command.forecast_close or deal.expected_close,
            source=command.source,
        )
    ]


def decide_win(deal: Deal, command: WinDeal, anomalies: AnomalyPolicy) -> list[EventPayload]:
    if deal.status != Status.APPROVED or deal.stage != Stage.NEGOTIATION:
        raise _refuse(deal, Stage.WON.value)
    if command.amount.amount <= 0:
        raise RuleViolation("the won amount must be positive")
    if command.amount.currency != deal.expected_amount.currency:
        raise RuleViolation(f"deal {deal.deal_id} is in {deal.expected_amount.currency}, not {command.amount.currency}")
    events: list[EventPayload] = [
        DealFlagged(
            partner_id=deal.partner_id, deal_id=deal.deal_id, reason=reason, detail=detail, flagged_on=command.closed_on
        )
        for reason, detail in close_timing(deal.registered_on, command.closed_on, anomalies, "close")
        if not deal.ever_flagged(reason)
    ]
    influence = [
        InfluenceActivity(kind=a.kind.value, occurred_on=a.occurred_on, evidence_ref=a.evidence_ref)
        for a in sorted(deal.influence, key=lambda a: (a.occurred_on, a.activity_id))
        if a.occurred_on < command.closed_on
    ]
    events.append(
        DealWon(
            partner_id=deal.partner_id,
            deal_id=deal.deal_id,
            product_line=deal.product_line,
            amount=command.amount,
            closed_on=command.closed_on,
            registered=deal.approved_on is not None and deal.approved_on <= command.closed_on,
            influence=influence,
        )
    )
    return events


def decide_lose(deal: Deal, command: LoseDeal) -> list[EventPayload]:
    if deal.status != Status.APPROVED or deal.stage not in OPEN_STAGES:
        raise _refuse(deal, Stage.LOST.value)
    reason = (command.reason or "").strip() or None
    return [DealLost(partner_id=deal.partner_id, deal_id=deal.deal_id, lost_on=command.lost_on, reason=reason)]


def decide_reverse(deal: Deal, command: ReverseDeal) -> list[EventPayload]:
    if deal.status != Status.WON or deal.final_amount is None:
        raise InvalidTransition(
            f"deal {deal.deal_id} is {deal.status}; only a won deal can be reversed", allowed_moves(deal)
        )
    if not command.reason.strip():
        raise RuleViolation("a reversal needs a reason")
    remaining = deal.final_amount.amount - deal.reversed_amount
    currency = deal.final_amount.currency
    amount = command.amount or Money.recorded(remaining, currency)  # what is left of a recorded win
    if amount.currency != currency:
        raise RuleViolation(f"deal {deal.deal_id} was won in {currency}, not {amount.currency}")
    if amount.amount <= 0:
        raise RuleViolation("the reversed amount must be positive")
    if amount.amount > remaining:
        raise RuleViolation(f"only {remaining} {currency} of deal {deal.deal_id} is left to reverse")
    if command.reversed_on < (deal.closed_on or command.reversed_on):
        raise RuleViolation(f"a reversal cannot be dated before the close ({deal.closed_on})")
    return [
        DealReversed(
            partner_id=deal.partner_id,
            deal_id=deal.deal_id,
            reversed_on=command.reversed_on,
            amount=amount,
            full=amount.amount == remaining,
            reason=command.reason.strip(),
        )
    ]


def decide_forecast(deal: Deal, command: ChangeForecast) -> list[EventPayload]:
    if not deal.active:
        raise InvalidTransition(f"deal {deal.deal_id} is {deal.status}; only an open deal's forecast changes", [])
    amount = command.expected_amount or deal.expected_amount
    close = command.expected_close or deal.expected_close
    if amount.currency != deal.expected_amount.currency:
        raise RuleViolation(f"deal {deal.deal_id} is in {deal.expected_amount.currency}, not {amount.currency}")
    if amount.amount <= 0:
        raise RuleViolation("expected amount must be positive")
    if amount == deal.expected_amount and close == deal.expected_close:
        return []
    return [
        DealForecastChanged(
            partner_id=deal.partner_id,
            deal_id=deal.deal_id,
            expected_amount=amount,
            expected_close=close,
            changed_at=command.changed_at,
        )
    ]


def is_stale(deal: Deal, as_of: date, expiry_days: int) -> bool:
    progress = deal.last_progress_on or deal.registered_on
    return deal.status == Status.APPROVED and progress + timedelta(days=expiry_days) < as_of


def decide_expire(deal: Deal, as_of: date, expiry_days: int) -> list[EventPayload]:
    """Expire an approved registration with no progress for ``expiry_days``; anything else is left alone."""
    if not is_stale(deal, as_of, expiry_days):
        return []
    return [
        DealExpired(
            partner_id=deal.partner_id,
            deal_id=deal.deal_id,
            expired_on=as_of,
            last_progress_on=deal.last_progress_on or deal.registered_on,
            stage=PipelineStage(deal.stage.value),
        )
    ]
