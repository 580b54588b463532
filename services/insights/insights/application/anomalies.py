"""The anomaly review queue and its two decisions, which belong to registration: insights forwards
them to registration's API with the caller's own token (registration authorizes, records who and
why in ``deal.flag_cleared`` / ``deal.flag_confirmed``, and the ledger follows those events)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol

from ..domain.errors import NotFound
from .money_ports import AnomalyQueries, QueueItem

Decision = Literal["clear", "confirm"]


@dataclass(frozen=True)
class DecideFlag:
    deal_id: str
    reason: str
    decision: Decision
    note: str | None
    token: str  # the caller's bearer token, forwarded as is
    idempotency_key: str | None = None


class FlagDecisions(Protocol):
    """Registration's flag routes (``POST /deals/{id}/flags/{reason}/clear|confirm``)."""

    async def decide(self, command: DecideFlag) -> dict[str, Any]: ...


async def queue_item(queries: AnomalyQueries, deal_id: str, partner_id: str | None) -> QueueItem:
    item = await queries.get(deal_id)
    if item is None or (partner_id is not None and item.partner_id != partner_id):
        raise NotFound(f"no flagged deal {deal_id}")
    return item


async def decide(queries: AnomalyQueries, registration: FlagDecisions, command: DecideFlag) -> dict[str, Any]:
    """Forward the decision; the queue changes when registration's event comes back through Kafka."""
    item = await queue_item(queries, command.deal_id, None)
    if not any(f.reason == command.reason for f in item.flags):
        raise NotFound(f"deal {command.deal_id} has no {command.reason} flag")
    return await registration.decide(command)
