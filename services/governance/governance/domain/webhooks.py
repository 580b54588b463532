"""Outbound webhooks: which events a subscriber may receive, how a delivery is signed, and when a failed
delivery is tried again.

- A partner's subscription receives only its own partner's events (and program announcements, which
  name no partner); a finance system's subscription (no partner) receives every partner's.
- The signature is the scheme the project verifies inbound (registration's generic webhook), written
  once in the kernel (``incentive_kernel.signatures``): ``X-Signature: t=<unix seconds>,v1=<hex
  HMAC-SHA256 of "<t>.<body>">`` with the subscription's secret (:func:`signature`).
- Retries back off exponentially: ``base x 2^(attempt-1)`` seconds, at most ``cap``; after
  ``max_attempts`` the delivery is failed (re-deliverable on request).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from incentive_kernel.signatures import sign_timestamped

from .errors import RuleViolation

# What a subscriber may ask for, by event type.
SUBSCRIBABLE = (
    "ledger.entry_posted",  # a reward posted
    "ledger.payout_batched",
    "ledger.payout_settled",
    "ledger.payout_failed",
    "ledger.statement_ready",  # a statement ready: a payout batch was cut with a line for the partner
    "program.version_published",  # a program change announced
    "governance.benefit_granted",
    "governance.benefit_revoked",
    "governance.dispute_opened",
    "governance.dispute_review_started",
    "governance.dispute_escalated",
    "governance.dispute_resolved",
    "governance.plan_signed",
)


@dataclass(frozen=True)
class RetryPolicy:
    base_seconds: int = 30
    cap_seconds: int = 6 * 3600
    max_attempts: int = 8


@dataclass(frozen=True)
class Attempt:
    """What one delivery attempt leads to: delivered, another try at ``retry_at``, or given up."""

    status: str  # delivered | pending | failed
    retry_at: datetime | None


def subscription_violations(event_types: list[str], url: str, *, production: bool) -> list[str]:
    problems = [f"{t} is not an event one can subscribe to" for t in event_types if t not in SUBSCRIBABLE]
    if not event_types:
        problems.append("subscribe to at least one event type")
    if production and not url.startswith("https://"):
        problems.append("deliveries go to https:// URLs only")
    return problems


def require_valid(event_types: list[str], url: str, *, production: bool) -> None:
    problems = subscription_violations(event_types, url, production=production)
    if problems:
        raise RuleViolation.single("subscription", "; ".join(problems))


def receives(subscriber_partner: str | None, event_partner: str | None) -> bool:
    """Whether a subscription may receive an event: never another partner's."""
    return subscriber_partner is None or event_partner is None or subscriber_partner == event_partner


def signature(secret: str, body: bytes, timestamp: int) -> str:
    """The ``X-Signature`` of a delivery: the project's one scheme, keyed by the subscription's secret."""
    return sign_timestamped(secret.encode(), body, timestamp)


def backoff(attempt: int, policy: RetryPolicy) -> timedelta:
    """The wait after the ``attempt``-th failed try (1-based)."""
    return timedelta(seconds=min(policy.base_seconds * 2 ** (attempt - 1), policy.cap_seconds))


def after_attempt(attempt: int, delivered: bool, now: datetime, policy: RetryPolicy) -> Attempt:
    if delivered:
        return Attempt("delivered", None)
    if attempt >= policy.max_attempts:
        return Attempt("failed", None)
    return Attempt("pending", now + backoff(attempt, policy))


@dataclass(frozen=True)
class Subscription:
    subscription_id: str
    partner_id: str | None  # None: a finance system's subscription (every partner's events)
    url: str
    secret: str
    event_types: tuple[str, ...]
    active: bool
    created_by: str


@dataclass(frozen=True)
class Delivery:
    delivery_id: int
    subscription_id: str
    event_id: str
    event_type: str
    partner_id: str | None
    body: bytes
    status: str  # pending | delivered | failed
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None


@dataclass(frozen=True)
class Published:
    """An event as it travelled (the CloudEvent bytes), offered to the subscriptions."""

    event_id: str
    event_type: str
    partner_id: str | None
    body: bytes
