"""Spot audits: each period a reproducible sample of won deals and MDF claims, drawn at the program's
rate, then each sampled item confirmed or failed (a failed item asks for its flag to be confirmed).

The sample: ``ceil(rate x population)`` items with the lowest SHA-256 of ``seed|period|kind|item_id``.
The same seed, period and population always give the same sample, and adding items to a population
only ever adds candidates (the rank of an item never depends on the others).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from incentive_contracts.events.governance import (
    AuditItemKind,
    GovernanceAuditItemConfirmed,
    GovernanceAuditItemFailed,
    GovernanceAuditItemSampled,
)
from incentive_contracts.payload import EventPayload

from .errors import InvalidTransition, NotFound, RuleViolation

ItemKey = tuple[str, str]  # (kind, item_id)


@dataclass(frozen=True)
class AuditCandidate:
    kind: AuditItemKind
    item_id: str
    partner_id: str
    period: str


@dataclass(frozen=True)
class AuditItem:
    kind: AuditItemKind
    item_id: str
    partner_id: str
    status: str = "pending"  # pending | confirmed | failed
    decided_by: str | None = None
    decided_on: date | None = None
    note: str | None = None


@dataclass(frozen=True)
class AuditPeriod:
    period: str
    seed: str = ""
    rate: str = "0"
    drawn_on: date | None = None
    items: dict[ItemKey, AuditItem] = field(default_factory=dict)


@dataclass(frozen=True)
class DrawSample:
    period: str
    rate: Decimal
    seed: str
    on: date


@dataclass(frozen=True)
class DecideItem:
    period: str
    kind: AuditItemKind
    item_id: str
    passed: bool
    by: str
    on: date
    note: str | None


def period_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def period_start(period: str) -> date:
    """The first day of a period such as ``2026-Q2`` (1 April 2026)."""
    year, quarter = period.split("-Q")
    return date(int(year), 3 * (int(quarter) - 1) + 1, 1)


def rank(seed: str, period: str, kind: str, item_id: str) -> str:
    return hashlib.sha256(f"{seed}|{period}|{kind}|{item_id}".encode()).hexdigest()


def sample(candidates: list[AuditCandidate], rate: Decimal, seed: str, period: str) -> list[AuditCandidate]:
    """The period's sample, in rank order (see the module docstring)."""
    if not Decimal(0) <= rate <= Decimal(1):
        raise RuleViolation.single("audit_rate", "the audit rate is a share between 0 and 1")
    population = sorted(
        {(c.kind, c.item_id): c for c in candidates if c.period == period}.values(),
        key=lambda c: rank(seed, period, c.kind, c.item_id),
    )
    size = math.ceil(rate * len(population))
    return population[:size]


def decide_draw(audit: AuditPeriod, command: DrawSample, candidates: list[AuditCandidate]) -> list[EventPayload]:
    if audit.drawn_on is not None:
        raise InvalidTransition(f"the {audit.period} sample was drawn on {audit.drawn_on}", ["confirm", "fail"])
    rate = format(command.rate.normalize(), "f")
    return [
        GovernanceAuditItemSampled(
            partner_id=c.partner_id,
            audit_period=command.period,
            item_kind=c.kind,
            item_id=c.item_id,
            seed=command.seed,
            rate=rate,
            sampled_on=command.on,
        )
        for c in sample(candidates, command.rate, command.seed, command.period)
    ]


def decide_item(audit: AuditPeriod, command: DecideItem) -> list[EventPayload]:
    item = audit.items.get((command.kind, command.item_id))
    if item is None:
        raise NotFound(f"{command.kind} {command.item_id} is not in the {command.period} sample")
    if item.status != "pending":
        raise InvalidTransition(f"{command.kind} {command.item_id} was already {item.status}", [])
    if command.passed:
        return [
            GovernanceAuditItemConfirmed(
                partner_id=item.partner_id,
                audit_period=command.period,
                item_kind=item.kind,
                item_id=item.item_id,
                confirmed_by=command.by,
                confirmed_on=command.on,
                note=command.note,
            )
        ]
    if not command.note:
        raise RuleViolation.single("failure_reason", "a failed audit item needs its reason")
    return [
        GovernanceAuditItemFailed(
            partner_id=item.partner_id,
            audit_period=command.period,
            item_kind=item.kind,
            item_id=item.item_id,
            failed_by=command.by,
            failed_on=command.on,
            reason=command.note,
        )
    ]


def evolve_audit(audit: AuditPeriod | None, event: EventPayload) -> AuditPeriod:
    if not isinstance(event, GovernanceAuditItemSampled | GovernanceAuditItemConfirmed | GovernanceAuditItemFailed):
        raise TypeError(f"not an audit event: {event.event_type}")
    audit = audit or AuditPeriod(event.audit_period)
    if isinstance(event, GovernanceAuditItemSampled):
        item = AuditItem(event.item_kind, event.item_id, event.partner_id)
        items = {**audit.items, (event.item_kind, event.item_id): item}
        return replace(audit, seed=event.seed, rate=event.rate, drawn_on=event.sampled_on, items=items)
    if isinstance(event, GovernanceAuditItemConfirmed | GovernanceAuditItemFailed):
        key = (event.item_kind, event.item_id)
        if isinstance(event, GovernanceAuditItemConfirmed):
            decided = replace(
                audit.items[key],
                status="confirmed",
                decided_by=event.confirmed_by,
                decided_on=event.confirmed_on,
                note=event.note,
            )
        else:
            decided = replace(
                audit.items[key],
                status="failed",
                decided_by=event.failed_by,
                decided_on=event.failed_on,
                note=event.reason,
            )
        return replace(audit, items={**audit.items, key: decided})
    raise TypeError(f"not an audit event: {event.event_type}")
