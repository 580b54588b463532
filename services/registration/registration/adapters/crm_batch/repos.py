"""The batch unit's repositories: they answer from the batch's loaded state and write to memory.

What the CRM path never asks (rivals, engagements, programs, changes to partners) raises
:class:`NotPrepared`, and so does any question about a key that was not loaded: nothing is guessed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from incentive_contracts.events.program import ProgramVersionPublished

from ...domain.crm import CrmRecord
from ...domain.deal import Deal
from ...domain.identity import CustomerIdentity
from ...domain.partner import Partner
from ...domain.registration import DirectDeal, KnownRegistration
from ..unit import crm_lock_bucket, customer_lock_buckets
from .journal import UndoJournal
from .state import BatchState, NotPrepared, known_of, remember


class _Repo:
    """Over the batch's state, changing it through the journal."""

    def __init__(self, state: BatchState, journal: UndoJournal) -> None:
        self.s = state
        self.j = journal


class BatchDeals(_Repo):
    async def get(self, deal_id: str, *, for_update: bool = False) -> Deal | None:
        if deal_id not in self.s.deals:
            raise NotPrepared(f"deal {deal_id}")
        return self.s.deals[deal_id]

    async def existing_ids(self, deal_ids: Iterable[str]) -> set[str]:
        return {d for d in deal_ids if await self.get(d) is not None}

    async def known_registrations(self, identities: Iterable[CustomerIdentity], since: date) -> list[KnownRegistration]:
        wanted = list(identities)
        s = self.s
        if s.known_since is None or since < s.known_since or not s.identities.issuperset(wanted):
            raise NotPrepared("earlier registrations")
        name_keys = {i.name_key for i in wanted}
        domains = {i.domain for i in wanted if i.domain}
        ids: set[str] = set()
        for key in [f"n:{k}" for k in name_keys] + [f"d:{d}" for d in domains]:
            ids |= s.by_key.get(key, set())
        found = []
        for deal_id in sorted(ids):
            name_key, domain = s.match_keys[deal_id]
            known = s.known[deal_id]
            if (name_key in name_keys or (domain is not None and domain in domains)) and known.registered_on >= since:
                found.append(known)
        return found

    async def daily_counts(self, partner_ids: Iterable[str], since: date, until: date) -> dict[tuple[str, date], int]:
        s = self.s
        ids = set(partner_ids)
        if s.daily_window is None or since < s.daily_window[0] or until > s.daily_window[1]:
            raise NotPrepared("daily counts")
        if not ids.issubset(s.daily_partners):
            raise NotPrepared("daily counts")
        return {(p, d): n for p in ids for d, n in s.daily.get(p, {}).items() if since <= d <= until and n}

    async def save(self, deal: Deal, *, source: str | None = None) -> None:
        self._save(deal, source or "api")

    async def save_many(self, items: Sequence[Deal], *, source: str) -> None:
        for deal in items:
            if await self.get(deal.deal_id) is not None:
                raise NotPrepared(f"deal {deal.deal_id} registered twice")  # one by one: the database's error
            self._save(deal, source)

    def _save(self, deal: Deal, source: str) -> None:
        s, j = self.s, self.j
        deal_id = deal.deal_id
        if deal_id not in s.deals:
            raise NotPrepared(f"deal {deal_id}")
        if s.deals[deal_id] is None and deal_id not in s.new_source:
            j.assign(s.new_source, deal_id, source)
            j.append(s.new_deals, deal_id)
            per_day = s.daily.get(deal.partner_id)
            if per_day is None:
                per_day = {}
                j.assign(s.daily, deal.partner_id, per_day)
            j.assign(per_day, deal.registered_on, per_day.get(deal.registered_on, 0) + 1)
        elif deal_id in s.existed:
            j.add(s.updated, deal_id)
        j.assign(s.deals, deal_id, deal)
        identity = deal.identity
        remember(s, j, deal_id, identity.name_key, identity.domain, known_of(deal))

    # Not used by the CRM path: one by one.
    async def rivals(self, identity: CustomerIdentity, product_key: str) -> list[Deal]:
        raise NotPrepared("rivals")

    async def stale(self, as_of: date, expiry_days: int, limit: int) -> list[Deal]:
        raise NotPrepared("stale")

    async def history(self, deal_id: str) -> Any:
        raise NotPrepared("history")

    async def list(self, query: Any) -> Any:
        raise NotPrepared("list")


class BatchDirectDeals(_Repo):
    async def matching(self, identities: Iterable[CustomerIdentity]) -> list[DirectDeal]:
        wanted = list(identities)
        if not self.s.identities.issuperset(wanted):
            raise NotPrepared("direct deals")
        name_keys = {i.name_key for i in wanted}
        domains = {i.domain for i in wanted if i.domain}
        return [
            d
            for d in self.s.direct
            if d.identity.name_key in name_keys or (d.identity.domain is not None and d.identity.domain in domains)
        ]

    async def get(self, direct_deal_id: str, *, for_update: bool = False) -> DirectDeal | None:
        raise NotPrepared("direct deal")

    async def add(self, deal: DirectDeal, **_: Any) -> None:
        raise NotPrepared("direct deal")

    async def release(self, direct_deal_ids: Iterable[str], status: str) -> None:
        raise NotPrepared("direct deal")


class BatchPartners(_Repo):
    async def get(self, partner_id: str, *, for_update: bool = False) -> Partner | None:
        return (await self.get_many([partner_id])).get(partner_id)

    async def get_many(self, partner_ids: Iterable[str]) -> dict[str, Partner]:
        found = {}
        for partner_id in set(partner_ids):
            if partner_id not in self.s.partners:
                raise NotPrepared(f"partner {partner_id}")
            partner = self.s.partners[partner_id]
            if partner is not None:
                found[partner_id] = partner
        return found

    async def save(self, partner: Partner) -> None:
        raise NotPrepared("partner")

    async def list(self, query: Any) -> Any:
        raise NotPrepared("partners")


class BatchEngagements(_Repo):
    async def get(self, engagement_id: str) -> Any:
        raise NotPrepared("engagement")

    async def find_same(self, *_: Any) -> Any:
        raise NotPrepared("engagement")

    async def add(self, *_: Any, **__: Any) -> None:
        raise NotPrepared("engagement")

    async def list(self, query: Any) -> Any:
        raise NotPrepared("engagements")


class BatchCrmRecords(_Repo):
    async def get(self, source: str, record_id: str) -> CrmRecord | None:
        key = (source, record_id)
        if key not in self.s.records:
            raise NotPrepared(f"record {source}:{record_id}")
        return self.s.records[key]

    async def save(self, record: CrmRecord, outcome: str) -> None:
        key = (record.source, record.record_id)
        if key not in self.s.records:
            raise NotPrepared(f"record {record.source}:{record.record_id}")
        self.j.assign(self.s.records, key, record)
        self.j.assign(self.s.saved_records, key, outcome[:1000])

    async def claim_delivery(self, source: str, delivery_id: str, record_id: str) -> bool:
        key = (source, delivery_id)
        if key not in self.s.asked:
            raise NotPrepared(f"notification {source}:{delivery_id}")
        if key in self.s.fresh:
            self.j.discard(self.s.fresh, key)
            self.j.assign(self.s.claimed, key, record_id)
            return True
        return False

    async def set_delivery_outcome(self, source: str, delivery_id: str, outcome: str) -> None:
        self.j.assign(self.s.outcomes, (source, delivery_id), outcome[:1000])


class BatchLocks(_Repo):
    async def lock_customers(self, identities: Iterable[CustomerIdentity]) -> None:
        if not self.s.customer_buckets.issuperset(customer_lock_buckets(identities)):
            raise NotPrepared("customer locks")

    async def lock_crm_record(self, source: str, record_id: str) -> None:
        if crm_lock_bucket(source, record_id) not in self.s.record_buckets:
            raise NotPrepared(f"record lock {source}:{record_id}")


class BatchPrograms:
    """CRM deliveries never enrol partners nor move them between programs: nothing is loaded for that."""

    async def known(self, program_id: str) -> bool:
        raise NotPrepared(f"program {program_id} was not loaded for the batch")

    async def record_published(self, published: Sequence[ProgramVersionPublished]) -> None:
        raise NotPrepared("the batch does not record published programs")
