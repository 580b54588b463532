"""Read-side queries: balances."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from .tables import balances, ledger_partners


@dataclass(frozen=True)
class BalanceLine:
    account: str
    currency: str
    balance: Decimal


async def partner_known(conn: AsyncConnection, partner_id: str) -> bool:
    stmt = select(ledger_partners.c.partner_id).where(ledger_partners.c.partner_id == partner_id)
    return (await conn.execute(stmt)).first() is not None


async def partner_balances(conn: AsyncConnection, partner_id: str) -> list[BalanceLine]:
    stmt = (
        select(balances.c.account, balances.c.currency, balances.c.balance)
        .where(balances.c.partner_id == partner_id, balances.c.account.like(f"partner:{partner_id}:%"))
        .order_by(balances.c.account, balances.c.currency)
    )
    return [BalanceLine(r.account, r.currency, r.balance) for r in (await conn.execute(stmt)).all()]
