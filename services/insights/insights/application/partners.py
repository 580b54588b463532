"""The partner directory as insights knows it (the console's partner list and partner page header)."""

from __future__ import annotations

from incentive_kernel.paging import Page

from ..domain.errors import NotFound
from ..domain.facts import DealFact
from .ports import InsightsQueries, PartnerFilter, PartnerView


async def list_partners(
    queries: InsightsQueries, where: PartnerFilter, after: str | None, limit: int
) -> Page[PartnerView]:
    return await queries.partner_page(where, after, limit)


async def get_partner(queries: InsightsQueries, partner_id: str) -> PartnerView:
    partner = await queries.partner(partner_id)
    if partner is None:
        raise NotFound(f"no partner {partner_id}")
    return partner


async def open_pipeline(queries: InsightsQueries, partner_id: str, after: str | None, limit: int) -> Page[DealFact]:
    """The partner's open deals with their stage, expected amount and forecast close date."""
    await get_partner(queries, partner_id)
    return await queries.open_deals(partner_id, after, limit)
