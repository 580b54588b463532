"""What a batch of events adds to the monthly sums the indicators read."""

from __future__ import annotations

from decimal import Decimal

from ..domain.monthly import (
    Key,
    Sums,
    change,
    deal_contributions,
    engagement_contributions,
    request_contributions,
    result_contributions,
    spend_contributions,
)
from .ports import ReadModelRows


def monthly_changes(known: ReadModelRows, changed: ReadModelRows) -> dict[tuple[str, Key], Decimal]:
    """What the batch adds to each partner's monthly sums: each changed fact's contributions now less
    what it contributed before the batch."""
    parts: list[tuple[str, Sums]] = []
    for deal_id, deal in changed.deals.items():
        old = known.deals.get(deal_id)
        parts.append((deal.partner_id, change(deal_contributions(deal), deal_contributions(old) if old else None)))
    for request_id, request in changed.requests.items():
        was = known.requests.get(request_id)
        parts.append(
            (request.partner_id, change(request_contributions(request), request_contributions(was) if was else None))
        )
    for request_id, result in changed.results.items():
        last = known.results.get(request_id)
        parts.append(
            (result.partner_id, change(result_contributions(result), result_contributions(last) if last else None))
        )
    parts += [(s.partner_id, spend_contributions(s)) for s in changed.spend.values()]
    parts += [(x.partner_id, engagement_contributions(x)) for x in changed.engagements.values()]
    total: dict[tuple[str, Key], Decimal] = {}
    for partner_id, sums in parts:
        for key, value in sums.items():
            total[(partner_id, key)] = total.get((partner_id, key), Decimal(0)) + value
    return {k: v for k, v in total.items() if v}
