"""The anomaly review queue: a flagged deal's flags folded from registration's events, and what the
ledger holds because of them folded from its postings.

A deal is ``open`` while one of its flags awaits a decision, ``confirmed`` once a reviewer
confirmed one (the deal is rejected and its rewards reversed), ``cleared`` when every flag was
cleared (the ledger released the hold).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum

HELD_PURPOSES = ("rebates_held", "mdf_held")


class FlagStatus(StrEnum):
    OPEN = "open"
    CLEARED = "cleared"
    CONFIRMED = "confirmed"


@dataclass(frozen=True)
class Flag:
    reason: str
    detail: str
    flagged_on: date
    status: FlagStatus = FlagStatus.OPEN
    decided_by: str | None = None
    decided_on: date | None = None
    note: str | None = None


@dataclass(frozen=True)
class Flagged:
    """deal.flagged"""

    reason: str
    detail: str
    on: date


@dataclass(frozen=True)
class Decided:
    """deal.flag_cleared (``confirmed`` False) or deal.flag_confirmed (True)."""

    reason: str
    confirmed: bool
    by: str
    on: date
    note: str | None


FlagEvent = Flagged | Decided


def apply(flags: tuple[Flag, ...], event: FlagEvent) -> tuple[Flag, ...]:
    """One flag event applied to a deal's flags (replaying an event changes nothing)."""
    others = tuple(f for f in flags if f.reason != event.reason)
    current = next((f for f in flags if f.reason == event.reason), None)
    if isinstance(event, Flagged):
        if current is not None and current.status is FlagStatus.OPEN:
            return flags
        return (*others, Flag(event.reason, event.detail, event.on))
    if current is None:  # a decision about a flag whose event has not arrived: keep it, decided
        current = Flag(event.reason, "", event.on)
    status = FlagStatus.CONFIRMED if event.confirmed else FlagStatus.CLEARED
    decided = replace(current, status=status, decided_by=event.by, decided_on=event.on, note=event.note)
    return (*others, decided)


def fold(events: Iterable[FlagEvent]) -> tuple[Flag, ...]:
    flags: tuple[Flag, ...] = ()
    for event in events:
        flags = apply(flags, event)
    return tuple(sorted(flags, key=lambda f: f.reason))


def deal_status(flags: Iterable[Flag]) -> FlagStatus:
    statuses = {f.status for f in flags}
    if FlagStatus.CONFIRMED in statuses:
        return FlagStatus.CONFIRMED
    if FlagStatus.OPEN in statuses:
        return FlagStatus.OPEN
    return FlagStatus.CLEARED


@dataclass(frozen=True)
class HeldAmount:
    currency: str
    rebates: Decimal
    mdf: Decimal


def held_amounts(postings: Iterable[tuple[str, str, Decimal]]) -> list[HeldAmount]:
    """What stays held, per currency, from the postings (account, currency, amount) of the entries a
    deal's events caused. Partner accounts are credit-normal: a credit (negative) to ``rebates_held``
    holds, the debit of a release or a confirmed reversal lets go."""
    totals: dict[str, dict[str, Decimal]] = {}
    for account, currency, amount in postings:
        purpose = account.rsplit(":", 1)[-1]
        if account.startswith("partner:") and purpose in HELD_PURPOSES:
            by_purpose = totals.setdefault(currency, dict.fromkeys(HELD_PURPOSES, Decimal(0)))
            by_purpose[purpose] -= amount
    return [HeldAmount(c, t["rebates_held"], t["mdf_held"]) for c, t in sorted(totals.items())]
