"""The ledger's side of the cross-service reconciliation, read from its own tables.

MDF balances are split per fund period by each entry's explanation: ``period`` (MDF movements and,
per the MDF money model, every MDF entry), ``inputs.period`` (deal accruals), or the period of the
entry it reverses (accrual clawbacks); an entry naming none falls in the quarter it is effective in.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import TextClause, text
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncEngine

from ..domain.service_positions import LedgerDeal, LedgerFundBalance, PayoutSettlement
from .codec import deal_from_json


def _quarter(column: str) -> str:
    return f"to_char({column} AT TIME ZONE 'UTC', 'YYYY') || '-Q' || to_char({column} AT TIME ZONE 'UTC', 'Q')"


FUND_BALANCES = text(
    f"""
    SELECT p.partner_id, p.currency, substring(p.account FROM '[:]mdf_([a-z]+)$') AS measure,
           coalesce(e.explanation->>'period', e.explanation->'inputs'->>'period',
                    r.explanation->>'period', r.explanation->'inputs'->>'period',
                    {_quarter("e.effective_at")}) AS period,
           0 - sum(p.amount) AS balance
    FROM postings p
    JOIN journal_entries e ON e.entry_id = p.entry_id
    LEFT JOIN journal_entries r ON r.entry_id = e.reverses
    WHERE p.account LIKE 'partner:%' AND p.account ~ '[:]mdf_(available|reserved|disbursed|held)$'
    GROUP BY 1, 2, 3, 4
    """
)
DEAL_ENTRIES = text(
    """
    SELECT e.partner_id, e.deal_id,
           count(*) FILTER (WHERE e.explanation->>'event_type' = 'deal.won') AS reward_entries,
           count(*) FILTER (WHERE e.kind = 'clawback') AS clawback_entries,
           coalesce(bool_or(e.kind = 'mdf_accrual' AND (e.explanation->>'held')::boolean), false) AS accrued_held
    FROM journal_entries e WHERE e.deal_id IS NOT NULL
    GROUP BY 1, 2
    """
)
DEAL_ACCRUAL_SPENDABLE = text(
    """
    SELECT e.partner_id, e.deal_id, 0 - sum(p.amount) AS spendable
    FROM journal_entries e JOIN postings p ON p.entry_id = e.entry_id
    WHERE e.deal_id IS NOT NULL AND p.account = 'partner:' || e.partner_id || ':' || 'mdf_available'
    GROUP BY 1, 2
    """
)
WON_DEALS = text("SELECT partner_id, deal_id, state FROM ledger_deals WHERE state->'won' IS NOT NULL")
LINES_PAID = text(
    f"""
    SELECT partner_id, currency, {_quarter("acknowledged_at")} AS period, sum(amount) AS amount
    FROM payout_lines WHERE status = 'paid' GROUP BY 1, 2, 3
    """
)
JOURNAL_PAID = text(
    f"""
    SELECT partner_id, currency, {_quarter("effective_at")} AS period, 0 - sum(amount) AS amount
    FROM postings WHERE account = 'partner:' || partner_id || ':' || 'rebates_paid' GROUP BY 1, 2, 3
    """
)
ZERO = Decimal(0)


class SqlLedgerBook:
    """Each reading on a connection of its own, released at once (`reconcile --confirm-after` sleeps
    between two readings: no transaction stays open meanwhile)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def _rows(self, query: TextClause) -> list[Row[Any]]:
        async with self.engine.connect() as conn:
            return list(await conn.execute(query))

    async def fund_balances(self) -> list[LedgerFundBalance]:
        figures: dict[tuple[str, str, str], dict[str, Decimal]] = {}
        for r in await self._rows(FUND_BALANCES):
            measures = figures.setdefault((r.partner_id, r.period, r.currency), {})
            measures[r.measure] = measures.get(r.measure, ZERO) + r.balance
        return [LedgerFundBalance(p, q, c, **m) for (p, q, c), m in sorted(figures.items())]

    async def booked_deals(self) -> list[LedgerDeal]:
        entries = {(r.partner_id, r.deal_id): r for r in await self._rows(DEAL_ENTRIES)}
        spendable = {(r.partner_id, r.deal_id): r.spendable for r in await self._rows(DEAL_ACCRUAL_SPENDABLE)}
        booked: list[LedgerDeal] = []
        for row in await self._rows(WON_DEALS):
            deal = deal_from_json(row.partner_id, row.deal_id, row.state)
            assert deal.won is not None  # selected so
            stats = entries.get((row.partner_id, row.deal_id))
            booked.append(
                LedgerDeal(
                    deal_id=deal.deal_id,
                    partner_id=deal.partner_id,
                    currency=deal.won.currency,
                    won_amount=deal.won.amount,
                    closed_on=deal.won.closed_on,
                    reversed_amount=deal.reversed_amount,
                    held=deal.held,
                    reward_entries=stats.reward_entries if stats else 0,
                    clawback_entries=stats.clawback_entries if stats else 0,
                    accrued_held_at_win=bool(stats and stats.accrued_held),
                    accrual_spendable=spendable.get((row.partner_id, row.deal_id), ZERO),
                )
            )
        return sorted(booked, key=lambda d: (d.partner_id, d.deal_id))

    async def payout_settlements(self) -> list[PayoutSettlement]:
        lines = {(r.partner_id, r.period, r.currency): r.amount for r in await self._rows(LINES_PAID)}
        journal = {(r.partner_id, r.period, r.currency): r.amount for r in await self._rows(JOURNAL_PAID)}
        return [
            PayoutSettlement(p, q, c, lines.get((p, q, c), ZERO), journal.get((p, q, c), ZERO))
            for p, q, c in sorted(set(lines) | set(journal))
        ]
