"""CRM opportunity records: merging deliveries by version, mapping fields, and the next step.

Each CRM record keeps the latest value of every field with the version it came with, so
duplicates, reordering and "latest state only" payloads all converge on the CRM's truth: a
value from an older version never overwrites a newer one. The merged record is mapped through a
configurable :class:`CrmMapping` to the deal it describes, and :func:`next_step` names the one
command that moves the local deal closer to it (the caller applies it and asks again).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cached_property, lru_cache

from incentive_contracts.dates import EARLIEST, LATEST
from incentive_contracts.money import Money

from .deal import Deal, Stage, Status
from .registration import RegisterDeal
from .stages import NEXT_STAGE, ChangeForecast, ChangeStage, LoseDeal, ReverseDeal, WinDeal


class Target(StrEnum):
    """What a CRM stage means here."""

    OPEN = "open"
    QUALIFIED = "qualified"
    PROPOSAL = "proposal"
    NEGOTIATION = "negotiation"
    WON = "won"
    LOST = "lost"
    CANCELLED = "cancelled"


RANK = {Stage.APPROVED: 0, Stage.QUALIFIED: 1, Stage.PROPOSAL: 2, Stage.NEGOTIATION: 3, Stage.WON: 4}
TARGET_RANK = {Target.OPEN: 0, Target.QUALIFIED: 1, Target.PROPOSAL: 2, Target.NEGOTIATION: 3, Target.WON: 4}

CANONICAL_FIELDS = (
    "partner_id",
    "customer_name",
    "customer_domain",
    "product_line",
    "amount",
    "currency",
    "close_date",
    "stage",
    "created_date",
    "lost_reason",
)
REQUIRED_TO_REGISTER = ("partner_id", "customer_name", "product_line", "amount", "currency", "close_date")


@dataclass(frozen=True)
class CrmMapping:
    """CRM field names per canonical field, and CRM stage values (case-insensitive) per target."""

    fields: dict[str, str]
    stages: dict[str, Target]
    default_currency: str | None = None

    def stage_target(self, value: str | None) -> Target | None:
        if value is None:
            return None
        return self._lowered_stages.get(value.strip().lower())

    @cached_property
    def _lowered_stages(self) -> dict[str, Target]:
        return {k.strip().lower(): v for k, v in self.stages.items()}


@dataclass(frozen=True)
class CrmChange:
    """One notification about one record: some or all of its fields at one version."""

    record_id: str
    delivery_id: str
    version: int
    occurred_at: datetime
    fields: dict[str, str | None]


@dataclass(frozen=True)
class CrmRecord:
    source: str
    record_id: str
    deal_id: str
    fields: dict[str, str | None] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    modified_at: datetime | None = None

    @property
    def version(self) -> int:
        return max(self.versions.values(), default=0)


def merge(record: CrmRecord, change: CrmChange) -> tuple[CrmRecord, list[str]]:
    """Take each field only where the change is newer than what the record holds for it."""
    fields, versions, changed = dict(record.fields), dict(record.versions), []
    for name, value in change.fields.items():
        if change.version <= versions.get(name, -1):
            continue
        versions[name] = change.version
        if fields.get(name, _ABSENT) != value:
            fields[name] = value
            changed.append(name)
    modified = record.modified_at
    if change.version >= record.version and (modified is None or change.occurred_at > modified):
        modified = change.occurred_at
    merged = CrmRecord(record.source, record.record_id, record.deal_id, fields, versions, modified)
    return merged, sorted(changed)


_ABSENT = object()


@dataclass(frozen=True)
class DesiredDeal:
    """The deal as the CRM describes it (fields it has not sent yet are None)."""

    partner_id: str | None
    customer_name: str | None
    customer_domain: str | None
    product_line: str | None
    amount: Money | None
    close_date: date | None
    target: Target | None
    created_date: date | None
    lost_reason: str | None
    problems: tuple[str, ...] = ()

    def missing_for_registration(self) -> list[str]:
        values = {
            "partner_id": self.partner_id,
            "customer_name": self.customer_name,
            "product_line": self.product_line,
            "amount": self.amount,
            "currency": self.amount,
            "close_date": self.close_date,
        }
        return [name for name in REQUIRED_TO_REGISTER if values[name] is None]


def desired(record: CrmRecord, mapping: CrmMapping) -> DesiredDeal:
    problems: list[str] = []
    fields = record.fields
    raw: dict[str, str | None] = {}
    for name, crm_name in mapping.fields.items():
        value = fields.get(crm_name) if crm_name else None
        raw[name] = (value.strip() or None) if isinstance(value, str) else None

    amount = None
    raw_amount = raw.get("amount")
    currency = raw.get("currency") or mapping.default_currency
    if raw_amount is not None and currency is not None:
        try:
            amount = _money(raw_amount, currency.upper())
        except (InvalidOperation, ValueError):
            problems.append(f"amount {raw_amount!r} {currency!r} is not an exact amount with a currency")
    stage_value = raw.get("stage")
    target = mapping.stage_target(stage_value)
    if stage_value is not None and target is None:
        problems.append(f"stage {stage_value!r} is not in the mapping")
    return DesiredDeal(
        partner_id=raw.get("partner_id"),
        customer_name=raw.get("customer_name"),
        customer_domain=raw.get("customer_domain"),
        product_line=raw.get("product_line"),
        amount=amount,
        close_date=_date(raw.get("close_date"), "close_date", problems),
        target=target,
        created_date=_date(raw.get("created_date"), "created_date", problems),
        lost_reason=raw.get("lost_reason"),
        problems=tuple(problems),
    )


@lru_cache(maxsize=4096)
def _money(amount: str, currency: str) -> Money:
    """Money is immutable, so one parse serves every record with the same amount (a failure is not kept)."""
    return Money(amount=Decimal(amount), currency=currency)


def _date(value: str | None, name: str, problems: list[str]) -> date | None:
    """ISO dates or datetimes, or epoch milliseconds (HubSpot)."""
    if value is None:
        return None
    try:
        if value.isdigit() and len(value) > 8:
            day = datetime.fromtimestamp(int(value) / 1000, tz=UTC).date()
        else:
            day = date.fromisoformat(value[:10])
    except (ValueError, OverflowError, OSError):  # OSError: an epoch the platform cannot represent
        problems.append(f"{name} {value!r} is not a date")
        return None
    if not EARLIEST <= day <= LATEST:  # the contracts' date window (a close in 9999 is not a close)
        problems.append(f"{name} {value!r} is outside {EARLIEST}..{LATEST}")
        return None
    return day


@dataclass(frozen=True)
class Wait:
    """Nothing to do now; why."""

    reason: str


Step = RegisterDeal | ChangeForecast | ChangeStage | WinDeal | LoseDeal | ReverseDeal | Wait


def crm_deal_id(source: str, record_id: str) -> str:
    return f"{source}-" + re.sub(r"[^A-Za-z0-9._-]", "_", record_id)[:50]


def next_step(wanted: DesiredDeal, deal: Deal | None, *, deal_id: str, at: datetime, source: str) -> Step:
    """The one command that brings ``deal`` closer to ``wanted``, or why there is none."""
    if deal is None:
        missing = wanted.missing_for_registration()
        if missing:
            return Wait(f"waiting for fields: {', '.join(missing)}")
        assert wanted.amount is not None
        assert wanted.close_date is not None
        return RegisterDeal(
            deal_id=deal_id,
            partner_id=wanted.partner_id or "",
            customer_name=wanted.customer_name or "",
            customer_domain=wanted.customer_domain,
            product_line=wanted.product_line or "",
            expected_amount=wanted.amount,
            expected_close=wanted.close_date,
            registered_on=wanted.created_date or at.date(),
        )
    target = wanted.target or Target.OPEN
    closing = target in (Target.WON, Target.LOST, Target.CANCELLED)
    if deal.active and not closing:
        amount = wanted.amount or deal.expected_amount
        close = wanted.close_date or deal.expected_close
        if (amount, close) != (
            deal.expected_amount,
            deal.expected_close,
        ) and amount.currency == deal.expected_amount.currency:
            return ChangeForecast(deal_id=deal.deal_id, changed_at=at, expected_amount=amount, expected_close=close)
    if deal.status in (Status.PENDING, Status.CONFLICT):
        return Wait(f"registration is {deal.status}; stages follow once a manager approves it")
    if deal.status == Status.WON:
        if target == Target.CANCELLED:
            reversed_on = max(at.date(), deal.closed_on or at.date())
            return ReverseDeal(deal_id=deal.deal_id, reversed_on=reversed_on, reason=f"cancelled in {source}")
        return Wait("deal is won")
    if deal.status != Status.APPROVED:
        return Wait(f"deal is {deal.status}")
    if target in (Target.LOST, Target.CANCELLED):
        return LoseDeal(deal_id=deal.deal_id, lost_on=wanted.close_date or at.date(), reason=wanted.lost_reason)
    if TARGET_RANK[target] < RANK[deal.stage]:
        return Wait(f"the CRM stage ({target}) is behind the deal's ({deal.stage}); stages never move back")
    if TARGET_RANK[target] == RANK[deal.stage]:
        return Wait("in step")
    if deal.stage == Stage.NEGOTIATION:
        if wanted.amount is None or wanted.close_date is None:
            return Wait("won needs the amount and the close date")
        return WinDeal(deal_id=deal.deal_id, amount=wanted.amount, closed_on=wanted.close_date)
    return ChangeStage(
        deal_id=deal.deal_id,
        to_stage=NEXT_STAGE[deal.stage],
        changed_at=at,
        forecast_close=deal.expected_close,
        source=f"crm:{source}",
    )
