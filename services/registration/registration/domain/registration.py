"""Deciding a new registration: validation, anomaly flags, conflict detection, auto-approval.

A :class:`RegistrationBook` holds what the decision needs to know about earlier registrations of
the same customers (and the registering partners' recent volume). It grows as it decides, so a
batch of registrations is decided exactly as the same registrations one after another.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from incentive_contracts.events.deal import (
    ConflictKind,
    DealApproved,
    DealConflicted,
    DealFlagged,
    DealRegistered,
    FlagReason,
)
from incentive_contracts.money import Money
from incentive_contracts.payload import EventPayload

from .deal import ACTIVE_STATUSES, Status
from .errors import AlreadyExists, RuleViolation
from .identity import CustomerIdentity, normalize_domain, normalize_product_line, same_organization
from .partner import Partner
from .policy import AnomalyPolicy, ApprovalPolicy, RegistrationPolicy

AUTO = "auto"


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

    @property
    def identity(self) -> CustomerIdentity:
        return CustomerIdentity.of(self.customer_name, self.customer_domain)


@dataclass(frozen=True)
class KnownRegistration:
    """An earlier registration of a customer, as conflict detection sees it."""

    deal_id: str
    partner_id: str
    identity: CustomerIdentity
    product_key: str
    status: Status
    registered_on: date


@dataclass(frozen=True)
class DirectDeal:
    """A deal the vendor sells directly; partners' registrations of it are in conflict."""

    direct_deal_id: str
    identity: CustomerIdentity
    product_key: str
    registered_on: date
    active: bool = True

    @property
    def ref(self) -> str:
        return f"direct:{self.direct_deal_id}"


def within(a: date, b: date, days: int) -> bool:
    return abs((a - b).days) < days


class RegistrationBook:
    def __init__(
        self,
        policy: RegistrationPolicy,
        registrations: Iterable[KnownRegistration] = (),
        direct_deals: Iterable[DirectDeal] = (),
        daily_counts: dict[tuple[str, date], int] | None = None,
    ) -> None:
        self.policy = policy
        self.registrations: list[KnownRegistration] = []
        # Indexed by every key a customer can be found under, so a batch of thousands is decided in
        # linear time (a scan of every registration per decision made a 5,000-deal batch quadratic).
        self._by_key: dict[str, list[KnownRegistration]] = defaultdict(list)
        for registration in registrations:
            self._remember(registration)
        self.direct_deals = list(direct_deals)
        self.daily_counts: dict[tuple[str, date], int] = defaultdict(int, daily_counts or {})
        self._days: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
        for (partner_id, day), n in self.daily_counts.items():
            self._days[partner_id][day] += n

    def _remember(self, registration: KnownRegistration) -> None:
        self.registrations.append(registration)
        for key in registration.identity.lock_keys:
            self._by_key[key].append(registration)

    def _of_customer(self, identity: CustomerIdentity) -> list[KnownRegistration]:
        """Earlier registrations of the same customer: a match shares its domain or its name key."""
        found: dict[int, KnownRegistration] = {}
        for key in identity.lock_keys:
            for r in self._by_key.get(key, ()):
                if r.identity.same_customer(identity):
                    found[id(r)] = r
        return list(found.values())

    def decide(self, command: RegisterDeal, partner: Partner | None, *, exists: bool = False) -> list[EventPayload]:
        _validate(command, partner, exists)
        assert partner is not None
        identity = command.identity
        product_key = normalize_product_line(command.product_line)
        day = command.registered_on
        events: list[EventPayload] = [
            DealRegistered(
                partner_id=command.partner_id,
                deal_id=command.deal_id,
                customer_name=command.customer_name.strip(),
                customer_domain=identity.domain,
                product_line=command.product_line.strip(),
                expected_amount=command.expected_amount,
                expected_close=command.expected_close,
                registered_on=day,
            )
        ]
        flags = self._anomalies(command, partner, identity)
        events.extend(flags)
        conflict = self._conflict(command, identity, product_key)
        status = Status.PENDING
        if conflict is not None:
            events.append(conflict)
            status = Status.CONFLICT
        elif not flags and auto_approvable(command, partner, self.policy.approval):
            events.append(
                DealApproved(partner_id=partner.partner_id, deal_id=command.deal_id, approved_on=day, approved_by=AUTO)
            )
            status = Status.APPROVED
        self._remember(KnownRegistration(command.deal_id, command.partner_id, identity, product_key, status, day))
        self.daily_counts[(command.partner_id, day)] += 1
        self._days[command.partner_id][day] += 1
        return events

    def _conflict(self, command: RegisterDeal, identity: CustomerIdentity, product_key: str) -> DealConflicted | None:
        window = self.policy.exclusivity_days
        day = command.registered_on
        direct = sorted(
            d.ref
            for d in self.direct_deals
            if d.active
            and d.product_key == product_key
            and d.identity.same_customer(identity)
            and within(d.registered_on, day, window)
        )
        if direct:
            return DealConflicted(
                partner_id=command.partner_id,
                deal_id=command.deal_id,
                conflicted_on=day,
                kind=ConflictKind.VENDOR_DIRECT,
                conflicts_with=direct,
            )
        holders = sorted(
            (
                r
                for r in self._of_customer(identity)
                if r.partner_id != command.partner_id
                and r.status in ACTIVE_STATUSES
                and r.product_key == product_key
                and within(r.registered_on, day, window)
            ),
            key=lambda r: (r.status == Status.CONFLICT, r.registered_on, r.deal_id),
        )
        if not holders:
            return None
        return DealConflicted(
            partner_id=command.partner_id,
            deal_id=command.deal_id,
            conflicted_on=day,
            kind=ConflictKind.CHANNEL,
            conflicts_with=[r.deal_id for r in holders],
        )

    def _anomalies(self, command: RegisterDeal, partner: Partner, identity: CustomerIdentity) -> list[EventPayload]:
        rules = self.policy.anomalies
        day = command.registered_on
        found: list[tuple[FlagReason, str]] = []
        velocity = self._velocity(command.partner_id, day, rules)
        if velocity:
            found.append((FlagReason.REGISTRATION_VELOCITY, velocity))
        found.extend(close_timing(day, command.expected_close, rules, "expected close"))
        partners = {
            r.partner_id
            for r in self._of_customer(identity)
            if within(r.registered_on, day, rules.multi_partner_lookback_days + 1)
        } | {command.partner_id}
        if len(partners) >= rules.multi_partner_threshold:
            found.append(
                (
                    FlagReason.MULTI_PARTNER_CUSTOMER,
                    f"customer {identity.key} registered by {len(partners)} partners within "
                    f"{rules.multi_partner_lookback_days} days: {', '.join(sorted(partners))}",
                )
            )
        if same_organization(identity.domain, partner.domain):
            found.append(
                (FlagReason.SELF_DEALING, f"customer domain {identity.domain} is the partner's own ({partner.domain})")
            )
        return [
            DealFlagged(
                partner_id=command.partner_id, deal_id=command.deal_id, reason=reason, detail=detail, flagged_on=day
            )
            for reason, detail in found
        ]

    def _velocity(self, partner_id: str, day: date, rules: AnomalyPolicy) -> str | None:
        def count(first: date, last: date) -> int:
            return sum(n for d, n in self._days[partner_id].items() if first <= d <= last)

        window_start = day - timedelta(days=rules.velocity_window_days - 1)
        recent = count(window_start, day) + 1
        if recent <= rules.velocity_min_count:
            return None  # the threshold is never below the minimum count: no need to work it out
        baseline = count(window_start - timedelta(days=rules.velocity_baseline_days), window_start - timedelta(days=1))
        norm = Decimal(baseline) * rules.velocity_window_days / rules.velocity_baseline_days
        threshold = max(Decimal(rules.velocity_min_count), rules.velocity_multiplier * norm)
        if recent <= threshold:
            return None
        return (
            f"{recent} registrations in {rules.velocity_window_days} days against a norm of "
            f"{norm.quantize(Decimal('0.1'))} (threshold {threshold.quantize(Decimal('0.1'))})"
        )


def close_timing(registered_on: date, close: date, rules: AnomalyPolicy, label: str) -> list[tuple[FlagReason, str]]:
    """A registration made after the close, or just before it."""
    days = (close - registered_on).days
    if days < 0:
        return [
            (FlagReason.REGISTERED_AFTER_CLOSE, f"registered {registered_on}, {-days} days after the {label} {close}")
        ]
    if days <= rules.near_close_days:
        return [
            (FlagReason.REGISTERED_NEAR_CLOSE, f"registered {registered_on}, {days} days before the {label} {close}")
        ]
    return []


def auto_approvable(command: RegisterDeal, partner: Partner, rules: ApprovalPolicy) -> bool:
    cap = rules.max_amounts.get(command.expected_amount.currency)
    return (
        rules.enabled
        and cap is not None
        and command.expected_amount.amount <= cap
        and (command.expected_close - command.registered_on).days <= rules.max_days_to_close
        and partner.partner_type in rules.partner_types
        and (rules.tiers is None or partner.tier in rules.tiers)
    )


def _validate(command: RegisterDeal, partner: Partner | None, exists: bool) -> None:
    if exists:
        raise AlreadyExists(f"deal {command.deal_id} is already registered")
    if partner is None or not partner.active:
        raise RuleViolation(f"partner {command.partner_id} is not an active enrolled partner")
    if command.expected_amount.amount <= 0:
        raise RuleViolation("expected amount must be positive")
    if not command.customer_name.strip() or not command.identity.name_key:
        raise RuleViolation("customer name must contain letters or digits")
    if command.customer_domain is not None and normalize_domain(command.customer_domain) is None:
        raise RuleViolation(f"customer domain {command.customer_domain!r} is not a web domain")
    if command.customer_domain and "." not in (normalize_domain(command.customer_domain) or ""):
        raise RuleViolation(f"customer domain {command.customer_domain!r} is not a web domain")
    if not normalize_product_line(command.product_line):
        raise RuleViolation("product line must not be blank")
    if command.registered_on < partner.enrolled_on:
        raise RuleViolation(
            f"registered_on {command.registered_on} is before the partner enrolled ({partner.enrolled_on})"
        )
