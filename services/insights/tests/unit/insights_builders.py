"""Small builders for the insights unit tests (facts as the read models hold them)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from insights.domain.facts import DealFact

OPEN_ORDER = ("registered", "approved", "qualified", "proposal", "negotiation")


def deal(
    deal_id: str,
    registered: date,
    amount: str,
    *,
    partner: str = "p-1",
    stages: dict[str, date] | None = None,
    closed: tuple[str, date] | None = None,
    won: str | None = None,
) -> DealFact:
    """A deal registered on ``registered`` that reached ``stages`` and maybe closed as ``closed``."""
    reached = {"registered": registered, **(stages or {})}
    stage = max(reached, key=OPEN_ORDER.index)
    closed_on = None
    if closed is not None:
        stage, closed_on = closed
        reached[stage] = closed_on
    return DealFact(
        deal_id=deal_id,
        partner_id=partner,
        currency="USD",
        expected_amount=Decimal(amount),
        expected_close=date(2026, 6, 30),
        registered_on=registered,
        stage=stage,
        won_amount=Decimal(won) if won is not None else None,
        closed_on=closed_on,
        reached=reached,
    )
