"""Loading a CRM batch up front: a few set-based statements, locked in the API's order.

Which of the deliveries' notification ids were seen before (the first occurrence of a new one
claims it, as one by one), the CRM records locked and loaded, for every registration the batch
could make its customers locked, then their earlier registrations, the vendor-direct deals, the
partners and their daily counts read, and then the records' deals loaded ``FOR UPDATE``
(customers before deals, the order the API's award takes them in).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from ...domain.crm import CrmChange
from ...domain.policy import RegistrationPolicy
from ...domain.registration import RegisterDeal
from ..crm_repo import to_record
from ..deals_repo import SqlDeals, any_of, direct_deal, known_registration, to_deal
from ..partners_repo import SqlPartners
from ..tables import deals
from ..unit import SqlLocks, crm_lock_bucket, customer_lock_buckets
from .journal import UndoJournal
from .queries import DIRECT, KNOWN, LOAD_RECORDS, SEEN_NOTIFICATIONS
from .state import BatchState, known_of, remember


async def new_notifications(
    conn: AsyncConnection, state: BatchState, notifications: Sequence[tuple[str, CrmChange]]
) -> None:
    """Which notification ids of the batch were never seen: the first occurrence of each may claim it.

    Nothing is written here: the claims go in with their outcomes at the end (:func:`flush`), which
    checks that every one of them landed.
    """
    state.asked = {(source, c.delivery_id) for source, c in notifications}
    if not notifications:
        return
    keys = sorted(state.asked)
    rows = await conn.execute(SEEN_NOTIFICATIONS, {"sources": [s for s, _ in keys], "ids": [d for _, d in keys]})
    state.fresh = state.asked - {(r.source, r.delivery_id) for r in rows}


async def load_records(conn: AsyncConnection, state: BatchState, keys: Iterable[tuple[str, str]]) -> None:
    """Lock (by bucket, in one global order) and load the CRM records the batch touches."""
    wanted = sorted(set(keys))
    if not wanted:
        return
    state.record_buckets = {crm_lock_bucket(s, r) for s, r in wanted}
    await SqlLocks(conn).lock_crm_buckets(state.record_buckets)
    rows = await conn.execute(LOAD_RECORDS, {"sources": [s for s, _ in wanted], "ids": [r for _, r in wanted]})
    state.records = dict.fromkeys(wanted)
    for row in rows:
        state.records[(row.source, row.record_id)] = to_record(row)


async def existing_deals(conn: AsyncConnection, deal_ids: Iterable[str]) -> set[str]:
    """Which of these deals exist (read without locking them)."""
    ids = sorted(set(deal_ids))
    if not ids:
        return set()
    return set((await conn.execute(select(deals.c.deal_id).where(any_of(deals.c.deal_id, ids)))).scalars())


async def load_deals(conn: AsyncConnection, state: BatchState, deal_ids: Iterable[str]) -> None:
    """The deals of the batch's records, locked ``FOR UPDATE`` (in deal id order).

    A deal also read as an earlier registration (:func:`load_for_registrations`, before these
    locks) is seen as the locked read found it, so both views of it agree.
    """
    ids = sorted(set(deal_ids))
    if not ids:
        return
    stmt = select(deals).where(any_of(deals.c.deal_id, ids)).order_by(deals.c.deal_id).with_for_update()
    state.deals = dict.fromkeys(ids)
    journal = UndoJournal()
    for row in (await conn.execute(stmt)).all():
        deal = to_deal(row._mapping)
        state.deals[deal.deal_id] = deal
        state.existed.add(deal.deal_id)
        if deal.deal_id in state.known:
            remember(state, journal, deal.deal_id, row.customer_name_key, row.customer_domain, known_of(deal))


async def load_for_registrations(
    conn: AsyncConnection, state: BatchState, commands: Sequence[RegisterDeal], policy: RegistrationPolicy
) -> None:
    """Lock the customers of every registration the batch may make, then read what they decide on."""
    if not commands:
        return
    identities = {c.identity for c in commands}
    state.identities = identities
    state.customer_buckets = set(customer_lock_buckets(identities))
    await SqlLocks(conn).lock_customers(identities)  # before the earlier registrations are read
    first = min(c.registered_on for c in commands)
    last = max(c.registered_on for c in commands)
    state.known_since = first - timedelta(days=policy.lookback_days)
    journal = UndoJournal()
    keys = {
        "name_keys": sorted({i.name_key for i in identities}),
        "domains": sorted({i.domain for i in identities if i.domain}),
    }
    for r in (await conn.execute(KNOWN, {**keys, "since": state.known_since})).all():
        remember(state, journal, r.deal_id, r.customer_name_key, r.customer_domain, known_registration(r))
    state.direct = [direct_deal(r._mapping) for r in (await conn.execute(DIRECT, keys)).all()]
    partner_ids = {c.partner_id for c in commands}
    partners = await SqlPartners(conn).get_many(partner_ids)
    state.partners = {p: partners.get(p) for p in partner_ids}
    since = first - timedelta(days=policy.anomalies.velocity_lookback_days)
    state.daily_window = (since, last)
    state.daily_partners = set(partner_ids)
    state.daily = {p: {} for p in partner_ids}
    for (partner_id, day), n in (await SqlDeals(conn).daily_counts(partner_ids, since, last)).items():
        state.daily[partner_id][day] = n
