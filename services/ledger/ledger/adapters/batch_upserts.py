"""The projector's state rows, one statement per table per batch.

A batch of 2,000 deal events changes hundreds of deals, partners, chain heads and balances. Each table
is upserted by one ``INSERT ... SELECT FROM unnest(arrays) ON CONFLICT DO UPDATE`` instead of an
``executemany`` of one-row upserts: one statement to parse, plan and execute, and arrays instead of
thousands of bound parameter sets. The rows that result are those the one-row upserts gave, applied in
order (a test compares both): a key given twice keeps its last value (an upsert in one statement may
not touch a row twice, so repeats are folded first), and rows are taken in the order given (``WITH
ORDINALITY``), so row locks are still taken in key order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from servicekit.db import json_text

from ..application.ports import BalanceKey
from ..domain.chain import ChainHead
from ..domain.state import DealRecord, PartnerLedger
from .codec import deal_to_json, partner_to_json

UPSERT_DEALS = """
    INSERT INTO ledger_deals (partner_id, deal_id, state)
    SELECT partner_id, deal_id, state::jsonb
    FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS row(partner_id, deal_id, state, n)
    ORDER BY n
    ON CONFLICT (partner_id, deal_id) DO UPDATE SET state = excluded.state
"""
UPSERT_PARTNERS = """
    INSERT INTO ledger_partners (partner_id, program_id, tier, state)
    SELECT partner_id, program_id, tier, state::jsonb
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
        WITH ORDINALITY AS row(partner_id, program_id, tier, state, n)
    ORDER BY n
    ON CONFLICT (partner_id) DO UPDATE
    SET program_id = excluded.program_id, tier = excluded.tier, state = excluded.state
"""
UPSERT_HEADS = """
    INSERT INTO chain_heads (partner_id, stream, last_sequence, head_hash)
    SELECT partner_id, stream, last_sequence, head_hash
    FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[])
        WITH ORDINALITY AS row(partner_id, stream, last_sequence, head_hash, n)
    ORDER BY n
    ON CONFLICT (partner_id, stream) DO UPDATE
    SET last_sequence = excluded.last_sequence, head_hash = excluded.head_hash
"""
ADD_BALANCES = """
    INSERT INTO balances (partner_id, account, currency, balance)
    SELECT partner_id, account, currency, balance
    FROM unnest($1::text[], $2::text[], $3::text[], $4::numeric[])
        WITH ORDINALITY AS row(partner_id, account, currency, balance, n)
    ORDER BY n
    ON CONFLICT (partner_id, account, currency) DO UPDATE SET balance = balances.balance + excluded.balance
"""


def _columns(rows: Iterable[tuple[Any, ...]], width: int) -> list[list[Any]]:
    """Rows as one list per column (the statements' arrays)."""
    columns: list[list[Any]] = [[] for _ in range(width)]
    for row in rows:
        for column, value in zip(columns, row, strict=True):
            column.append(value)
    return columns


def _last_of_each(rows: Iterable[tuple[Any, ...]], key_width: int) -> list[tuple[Any, ...]]:
    """One row per key (its first ``key_width`` values): the last given, where the first was given."""
    kept: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for row in rows:
        kept[row[:key_width]] = row
    return list(kept.values())


async def upsert_deals(driver: Any, deals: Iterable[DealRecord]) -> None:
    rows = _last_of_each(((d.partner_id, d.deal_id, json_text(deal_to_json(d))) for d in deals), 2)
    if rows:
        await driver.execute(UPSERT_DEALS, *_columns(rows, 3))


async def upsert_partners(driver: Any, states: Iterable[PartnerLedger]) -> None:
    states = list(states)
    rows = _last_of_each(((s.partner_id, s.program_id, s.tier, json_text(partner_to_json(s))) for s in states), 1)
    if not rows:
        return
    await driver.execute(UPSERT_PARTNERS, *_columns(rows, 4))
    await upsert_heads(driver, ((s.partner_id, stream, h) for s in states for stream, h in s.chains))


async def upsert_heads(driver: Any, heads: Iterable[tuple[str, str, ChainHead]]) -> None:
    """Each (partner, stream)'s chain head, the last given for a key kept."""
    rows = _last_of_each(((partner, stream, h.last_sequence, h.head_hash) for partner, stream, h in heads), 2)
    if rows:
        await driver.execute(UPSERT_HEADS, *_columns(rows, 4))


async def add_balances(driver: Any, deltas: Mapping[BalanceKey, Decimal]) -> None:
    """Add the non-zero deltas to the balances (a new account starts at its delta), in key order."""
    rows = [(*key, delta) for key, delta in sorted(deltas.items()) if delta != 0]
    if rows:
        await driver.execute(ADD_BALANCES, *_columns(rows, 4))
