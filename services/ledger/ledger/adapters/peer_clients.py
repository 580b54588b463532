"""The other services' read APIs, for the cross-service reconciliation: the mdf service's fund
positions (GET /funds) and the registration service's won deals (GET /won-deals), every page."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx

from ..application.service_reconciliation import SourceUnavailable
from ..domain.service_positions import MdfFundPosition, RegisteredDeal

PAGE_SIZE = 200  # the mdf service's default max_page_size


async def _pages(client: httpx.AsyncClient, service: str, path: str, token: str | None) -> list[dict[str, Any]]:
    """Every item of a keyset-paginated list; any failure is SourceUnavailable naming the service."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"limit": PAGE_SIZE} | ({"cursor": cursor} if cursor else {})
        try:
            response = await client.get(path, params=params, headers=headers)
        except httpx.HTTPError as exc:
            raise SourceUnavailable(f"{service} GET {path}: {exc.__class__.__name__}: {exc}") from exc
        if response.status_code != 200:
            hint = " (is its token set and does it carry audit:read?)" if response.status_code in (401, 403) else ""
            raise SourceUnavailable(
                f"{service} GET {path} answered {response.status_code}{hint}: {response.text[:300]}"
            )
        try:
            body = response.json()
            items += body["items"]
            cursor = body["next_cursor"]
        except (ValueError, KeyError, TypeError) as exc:
            raise SourceUnavailable(f"{service} GET {path}: not a page of items: {response.text[:300]}") from exc
        if cursor is None:
            return items


def _amount(value: Any) -> Decimal:
    return Decimal(str(value))


class HttpMdfFunds:
    def __init__(self, client: httpx.AsyncClient, token: str | None) -> None:
        self.client, self.token = client, token

    async def fund_positions(self) -> list[MdfFundPosition]:
        items = await _pages(self.client, "mdf", "/funds", self.token)
        try:
            return [
                MdfFundPosition(
                    partner_id=f["partner_id"],
                    period=f["period"],
                    currency=f["currency"],
                    **{
                        k: _amount(f[k])
                        for k in ("allocated", "accrued", "reserved", "disbursed", "expired", "available")
                    },
                )
                for f in items
            ]
        except (KeyError, TypeError, InvalidOperation) as exc:
            raise SourceUnavailable(f"mdf GET /funds: an unexpected fund position: {exc!r}") from exc


class HttpWonDeals:
    def __init__(self, client: httpx.AsyncClient, token: str | None) -> None:
        self.client, self.token = client, token

    async def won_deals(self) -> list[RegisteredDeal]:
        items = await _pages(self.client, "registration", "/won-deals", self.token)
        try:
            return [
                RegisteredDeal(
                    deal_id=d["deal_id"],
                    partner_id=d["partner_id"],
                    currency=d["amount"]["currency"],
                    won_amount=_amount(d["amount"]["amount"]),
                    closed_on=date.fromisoformat(d["closed_on"]),
                    reversed_amount=_amount(d["reversed_amount"]),
                    status=d["status"],
                    open_flags=tuple(d["open_flags"]),
                )
                for d in items
            ]
        except (KeyError, TypeError, ValueError, InvalidOperation) as exc:
            raise SourceUnavailable(f"registration GET /won-deals: an unexpected deal: {exc!r}") from exc
