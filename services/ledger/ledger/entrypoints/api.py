"""HTTP API of the ledger: thin routes over read models."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from incentive_contracts import topics
from pydantic import BaseModel
from servicekit.app import create_service_app
from servicekit.auth import Principal, requires
from servicekit.problems import Problem

from ..adapters import queries
from ..config import LedgerSettings
from .projector import SOURCE

router = APIRouter()


class BalanceOut(BaseModel):
    account: str
    currency: str
    balance: Decimal


class BalancesOut(BaseModel):
    partner_id: str
    balances: list[BalanceOut]


@router.get("/partners/{partner_id}/balances", tags=["balances"])
async def partner_balances(
    partner_id: str,
    request: Request,
    principal: Annotated[Principal, Depends(requires("ledger:read", "finance:read", "partner:read"))],
) -> BalancesOut:
    """Balances of the partner's own accounts, credit-normal: what the vendor owes the partner."""
    principal.require_partner(partner_id)
    async with request.app.state.engine.connect() as conn:
        if not await queries.partner_known(conn, partner_id):
            raise Problem(404, "Not found", f"partner {partner_id} has no ledger")
        lines = await queries.partner_balances(conn, partner_id)
    return BalancesOut(
        partner_id=partner_id,
        balances=[BalanceOut(account=b.account, currency=b.currency, balance=-b.balance) for b in lines],
    )


def create_app(settings: LedgerSettings | None = None) -> FastAPI:
    settings = settings or LedgerSettings()
    return create_service_app(
        settings,
        service="ledger",
        source=SOURCE,
        topic=topics.prefixed(topics.LEDGER, settings.topic_prefix),
        title="Partner incentive ledger",
        routers=[router],
    )
