"""Registering deals, one or many in one transaction, with conflict detection under a lock.

Every customer a batch touches is locked (advisory locks in one global order) before earlier
registrations are read, so concurrent registrations of the same customer are decided one after
another: the first comes first, the rest see it and land in conflict.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from ..domain import deal as model
from ..domain.errors import DomainError, RuleViolation
from ..domain.policy import RegistrationPolicy
from ..domain.registration import RegisterDeal, RegistrationBook
from .ports import RegistrationUnit

MAX_BATCH = 5000


class BatchItemError(RuleViolation):
    """A registration in a batch broke a rule; the whole batch is refused."""

    def __init__(self, index: int, deal_id: str, error: Exception) -> None:
        super().__init__(f"item {index} (deal {deal_id}): {error}")
        self.problem_extra = {"index": index, "deal_id": deal_id, "error_type": type(error).__name__}
        self.cause = error


async def register_deals(
    unit: RegistrationUnit,
    commands: Sequence[RegisterDeal],
    policy: RegistrationPolicy,
    *,
    actor: str,
    source: str = "api",
) -> list[model.Deal]:
    if not commands:
        return []
    if len(commands) > MAX_BATCH:
        raise RuleViolation(f"at most {MAX_BATCH} registrations per batch")
    ids = [c.deal_id for c in commands]
    if len(set(ids)) != len(ids):
        raise RuleViolation("a batch names the same deal id twice")
    identities = [c.identity for c in commands]
    await unit.locks.lock_customers(identities)
    first_day = min(c.registered_on for c in commands)
    last_day = max(c.registered_on for c in commands)
    book = RegistrationBook(
        policy,
        registrations=await unit.deals.known_registrations(
            identities, first_day - timedelta(days=policy.lookback_days)
        ),
        direct_deals=await unit.direct_deals.matching(identities),
        daily_counts=await unit.deals.daily_counts(
            {c.partner_id for c in commands},
            first_day - timedelta(days=policy.anomalies.velocity_lookback_days),
            last_day,
        ),
    )
    partners = await unit.partners.get_many({c.partner_id for c in commands})
    existing = await unit.deals.existing_ids(ids)
    events = []
    deals: list[model.Deal] = []
    for index, command in enumerate(commands):
        try:
            decided = book.decide(command, partners.get(command.partner_id), exists=command.deal_id in existing)
        except DomainError as exc:
            if len(commands) == 1:
                raise
            raise BatchItemError(index, command.deal_id, exc) from exc
        state = model.fold(decided)
        assert state is not None
        deals.append(state)
        events.extend(decided)
    await unit.deals.save_many(deals, source=source)
    await unit.emit(events, actor=actor)
    return deals
