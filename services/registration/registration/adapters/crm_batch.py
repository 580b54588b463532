"""Applying a whole batch of CRM deliveries with a fixed number of statements.

:class:`BatchUnit` is a :class:`RegistrationUnit` that answers from state loaded for the batch
up front and keeps every write in memory; the same use cases (``apply_changes`` and the
registration and stage cases it calls) run on it unchanged, so they decide exactly what they
decide one delivery at a time. What the batch reads is loaded (and locked) by a few set-based
statements before anything is decided: which of the deliveries' notification ids were seen
before (the first occurrence of a new one claims it, as one by one), the CRM records locked and
loaded, for every registration the batch could make (:func:`registrations_ahead`) its customers
locked, then their earlier registrations, the vendor-direct deals, the partners and their daily
counts read, and then the records' deals loaded ``FOR UPDATE`` (customers before deals, the order
the API's award takes them in). The writes go out at the end in bulk: new deals and history by
COPY from 100 rows on, updated deals as one pipelined upsert, records and the claimed notification
ids (with their outcomes) as one statement each; a notification id another transaction claimed
meanwhile is detected there (:class:`ClaimLost`).

Savepoints become an undo journal: ``atomically`` notes how to undo every change made inside it,
so a rejected notification leaves nothing behind, as a rolled-back savepoint would. A question
the loaded state cannot answer raises :class:`NotPrepared`; the caller then rolls the batch back
and applies it one delivery at a time, so a gap in the preparation costs time, never correctness.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import orjson
from incentive_contracts.events.program import ProgramVersionPublished
from incentive_contracts.payload import EventPayload
from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from ..application.ports import Clock
from ..domain.crm import CrmChange, CrmRecord
from ..domain.deal import Deal
from ..domain.identity import CustomerIdentity
from ..domain.partner import Partner
from ..domain.policy import RegistrationPolicy
from ..domain.registration import DirectDeal, KnownRegistration, RegisterDeal
from .crm_repo import to_record
from .deals_repo import (
    COPY_FROM_ROWS,
    DEAL_COLUMNS,
    JSON_DEAL_COLUMNS,
    SqlDeals,
    any_of,
    copy_rows,
    direct_deal,
    known_registration,
    to_deal,
    to_row,
)
from .partners_repo import SqlPartners
from .tables import deals
from .unit import SqlLocks, crm_lock_bucket, customer_lock_buckets, event_ids

_MISSING = object()

# Lookups of a batch's keys are LATERAL subqueries behind a fence (LIMIT 1 / OFFSET 0), so each key
# is one index probe whatever the statistics say. As a plain join, a table growing faster than
# autovacuum analyzes it got a hash join over all of it under the generic plan: 15 ms a batch at
# 50,000 notification ids, 75 ms at 200,000 (one probe per key: 3 ms).
SEEN_NOTIFICATIONS = text(
    """
    SELECT k.source, k.delivery_id
    FROM unnest(CAST(:sources AS text[]), CAST(:ids AS text[])) AS k(source, delivery_id)
    CROSS JOIN LATERAL (
        SELECT 1 FROM webhook_deliveries w WHERE w.source = k.source AND w.delivery_id = k.delivery_id LIMIT 1
    ) AS seen
    """
)
# The notification ids the batch claimed, each with its outcome, in one statement at the end. A row
# another transaction inserted meanwhile is not overwritten, and counts as a claim lost.
CLAIM_NOTIFICATIONS = text(
    """
    INSERT INTO webhook_deliveries (source, delivery_id, record_id, outcome)
    SELECT source, delivery_id, record_id, outcome
    FROM unnest(CAST(:sources AS text[]), CAST(:ids AS text[]), CAST(:records AS text[]), CAST(:outcomes AS text[]))
        AS claimed(source, delivery_id, record_id, outcome)
    ON CONFLICT (source, delivery_id) DO NOTHING
    RETURNING 1
    """
)
LOAD_RECORDS = text(
    """
    SELECT r.source, r.record_id, r.deal_id, r.fields, r.versions, r.modified_at
    FROM unnest(CAST(:sources AS text[]), CAST(:ids AS text[])) AS k(source, record_id)
    CROSS JOIN LATERAL (
        SELECT * FROM crm_records r WHERE r.source = k.source AND r.record_id = k.record_id LIMIT 1
    ) AS r
    """
)
# Every record the batch saved, in one statement (its final fields, versions and last outcome).
SAVE_RECORDS = text(
    """
    INSERT INTO crm_records (source, record_id, deal_id, fields, versions, modified_at, outcome)
    SELECT source, record_id, deal_id, CAST(fields AS jsonb), CAST(versions AS jsonb), modified_at, outcome
    FROM unnest(
        CAST(:sources AS text[]), CAST(:ids AS text[]), CAST(:deal_ids AS text[]), CAST(:fields AS text[]),
        CAST(:versions AS text[]), CAST(:modified AS timestamptz[]), CAST(:outcomes AS text[])
    ) AS saved(source, record_id, deal_id, fields, versions, modified_at, outcome)
    ON CONFLICT (source, record_id) DO UPDATE SET
        deal_id = excluded.deal_id, fields = excluded.fields, versions = excluded.versions,
        modified_at = excluded.modified_at, outcome = excluded.outcome
    """
)
# Earlier registrations of many customers and their vendor-direct deals: each key looked up through
# its index (see above; as ``= ANY(:array)`` filters they were checked against every row of a
# sequential scan, linearly in the array: 100 ms a batch at 36,000 deals, growing with the table).
KNOWN = text(
    """
    SELECT d.deal_id, d.partner_id, d.customer_name, d.customer_domain, d.customer_name_key, d.product_key,
           d.status, d.registered_on
    FROM unnest(CAST(:name_keys AS text[])) AS k(name_key)
    CROSS JOIN LATERAL (
        SELECT * FROM deals WHERE deals.customer_name_key = k.name_key AND deals.registered_on >= :since OFFSET 0
    ) AS d
    UNION
    SELECT d.deal_id, d.partner_id, d.customer_name, d.customer_domain, d.customer_name_key, d.product_key,
           d.status, d.registered_on
    FROM unnest(CAST(:domains AS text[])) AS k(domain)
    CROSS JOIN LATERAL (
        SELECT * FROM deals WHERE deals.customer_domain = k.domain AND deals.registered_on >= :since OFFSET 0
    ) AS d
    """
)
DIRECT = text(
    """
    SELECT d.direct_deal_id, d.customer_domain, d.customer_name_key, d.product_key, d.registered_on, d.status
    FROM unnest(CAST(:name_keys AS text[])) AS k(name_key)
    CROSS JOIN LATERAL (
        SELECT * FROM direct_deals WHERE direct_deals.customer_name_key = k.name_key AND status = 'active' OFFSET 0
    ) AS d
    UNION
    SELECT d.direct_deal_id, d.customer_domain, d.customer_name_key, d.product_key, d.registered_on, d.status
    FROM unnest(CAST(:domains AS text[])) AS k(domain)
    CROSS JOIN LATERAL (
        SELECT * FROM direct_deals WHERE direct_deals.customer_domain = k.domain AND status = 'active' OFFSET 0
    ) AS d
    """
)


class NotPrepared(Exception):
    """The batch was asked something it did not load: apply it one delivery at a time instead."""


class ClaimLost(Exception):
    """Another transaction claimed one of the batch's notification ids meanwhile: one at a time instead."""


class _Journal:
    """Undo steps for the changes made inside ``atomically`` (a savepoint, in memory)."""

    def __init__(self) -> None:
        self.steps: list[Callable[[], object]] = []
        self.depth = 0

    def assign(self, mapping: dict[Any, Any], key: Any, value: Any) -> None:
        if self.depth:
            old = mapping.get(key, _MISSING)
            if old is _MISSING:
                self.steps.append(lambda: mapping.pop(key, None))
            else:
                self.steps.append(lambda: mapping.__setitem__(key, old))
        mapping[key] = value

    def append(self, items: list[Any], item: Any) -> None:
        if self.depth:
            self.steps.append(items.pop)
        items.append(item)

    def add(self, items: set[Any], item: Any) -> None:
        if item not in items:
            if self.depth:
                self.steps.append(lambda: items.discard(item))
            items.add(item)

    def discard(self, items: set[Any], item: Any) -> None:
        if item in items:
            if self.depth:
                self.steps.append(lambda: items.add(item))
            items.discard(item)

    def undo_to(self, mark: int) -> None:
        while len(self.steps) > mark:
            self.steps.pop()()


@dataclass
class BatchState:
    """What a batch reads (loaded up front) and what it writes (kept until the flush)."""

    # Loaded.
    records: dict[tuple[str, str], CrmRecord | None] = field(default_factory=dict)
    deals: dict[str, Deal | None] = field(default_factory=dict)
    existed: set[str] = field(default_factory=set)
    fresh: set[tuple[str, str]] = field(default_factory=set)  # notification ids this batch may claim
    claimed: dict[tuple[str, str], str] = field(default_factory=dict)  # claimed (in order): the record
    asked: set[tuple[str, str]] = field(default_factory=set)  # every notification id of the batch
    record_buckets: set[int] = field(default_factory=set)
    customer_buckets: set[int] = field(default_factory=set)
    identities: set[CustomerIdentity] = field(default_factory=set)
    known_since: date | None = None
    known: dict[str, KnownRegistration] = field(default_factory=dict)
    match_keys: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    by_key: dict[str, set[str]] = field(default_factory=dict)
    direct: list[DirectDeal] = field(default_factory=list)
    partners: dict[str, Partner | None] = field(default_factory=dict)
    daily: dict[str, dict[date, int]] = field(default_factory=dict)
    daily_partners: set[str] = field(default_factory=set)
    daily_window: tuple[date, date] | None = None
    # Written.
    new_deals: list[str] = field(default_factory=list)  # in registration order
    new_source: dict[str, str] = field(default_factory=dict)
    updated: set[str] = field(default_factory=set)
    history: list[tuple[str, str, EventPayload, datetime, str | None]] = field(default_factory=list)
    saved_records: dict[tuple[str, str], str] = field(default_factory=dict)  # outcome per record
    outcomes: dict[tuple[str, str], str] = field(default_factory=dict)
    events: list[tuple[EventPayload, datetime, str]] = field(default_factory=list)


class _Repo:
    def __init__(self, state: BatchState, journal: _Journal) -> None:
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
        remember(s, j, deal_id, identity.name_key, identity.domain, _known(deal))

    # Not used by the CRM path: one by one.
    async def rivals(self, identity: CustomerIdentity, product_key: str) -> list[Deal]:
        raise NotPrepared("rivals")

    async def stale(self, as_of: date, expiry_days: int, limit: int) -> list[Deal]:
        raise NotPrepared("stale")

    async def history(self, deal_id: str) -> Any:
        raise NotPrepared("history")

    async def list(self, query: Any) -> Any:
        raise NotPrepared("list")


def _known(deal: Deal) -> KnownRegistration:
    return KnownRegistration(
        deal.deal_id,
        deal.partner_id,
        deal.identity,
        deal.product_key,  # as the deals table stores it
        deal.status,
        deal.registered_on,
    )


def remember(
    state: BatchState, journal: _Journal, deal_id: str, name_key: str, domain: str | None, known: KnownRegistration
) -> None:
    """A registration as ``known_registrations`` finds it (by its stored name key and domain)."""
    journal.assign(state.known, deal_id, known)
    journal.assign(state.match_keys, deal_id, (name_key, domain))
    for key in (f"n:{name_key}", f"d:{domain}") if domain else (f"n:{name_key}",):
        ids = state.by_key.get(key)
        if ids is None:
            ids = set()
            journal.assign(state.by_key, key, ids)
        journal.add(ids, deal_id)


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


class BatchUnit:
    """A RegistrationUnit over a :class:`BatchState`: reads what was loaded, writes to memory."""

    def __init__(self, state: BatchState, clock: Clock) -> None:
        self.state = state
        self._journal = _Journal()
        self.partners = BatchPartners(state, self._journal)
        self.programs = BatchPrograms()
        self.deals = BatchDeals(state, self._journal)
        self.direct_deals = BatchDirectDeals(state, self._journal)
        self.engagements = BatchEngagements(state, self._journal)
        self.crm = BatchCrmRecords(state, self._journal)
        self.locks = BatchLocks(state, self._journal)
        self.clock = clock
        self._held: list[list[tuple[EventPayload, datetime, str]]] = []

    async def emit(self, events: Sequence[EventPayload], *, actor: str | None = None) -> None:
        now = self.clock.now()
        for event, event_id in zip(events, event_ids(len(events)), strict=True):
            staged = (event, now, event_id)
            if self._held:
                self._held[-1].append(staged)
            else:
                self.state.events.append(staged)
            deal_id = getattr(event, "deal_id", None)
            if deal_id is not None:
                self._journal.append(self.state.history, (deal_id, event_id, event, now, actor))

    @asynccontextmanager
    async def atomically(self) -> AsyncIterator[None]:
        journal = self._journal
        mark = len(journal.steps)
        journal.depth += 1
        self._held.append([])
        try:
            yield
        except BaseException:
            self._held.pop()
            journal.undo_to(mark)
            raise
        finally:
            journal.depth -= 1
        held = self._held.pop()
        if self._held:
            self._held[-1].extend(held)
        else:
            self.state.events.extend(held)
        if not journal.depth:
            journal.steps.clear()


# Loading.


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
    journal = _Journal()
    for row in (await conn.execute(stmt)).all():
        deal = to_deal(row._mapping)
        state.deals[deal.deal_id] = deal
        state.existed.add(deal.deal_id)
        if deal.deal_id in state.known:
            remember(state, journal, deal.deal_id, row.customer_name_key, row.customer_domain, _known(deal))


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
    journal = _Journal()
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


# Writing.


async def flush(conn: AsyncConnection, state: BatchState) -> None:
    """Write what the batch did: new deals, updated deals, history, records, notification outcomes."""
    if state.new_deals:
        rows = []
        for deal_id in state.new_deals:
            deal = state.deals[deal_id]
            assert deal is not None
            rows.append({**to_row(deal), "source": state.new_source[deal_id]})
        if len(rows) >= COPY_FROM_ROWS:
            for row in rows:
                for column in JSON_DEAL_COLUMNS:
                    row[column] = _json_text(row[column])
            await copy_rows(conn, "deals", DEAL_COLUMNS, [tuple(r[c] for c in DEAL_COLUMNS) for r in rows])
        else:
            await conn.execute(insert(deals), rows)
    if state.updated:
        rows = []
        for deal_id in sorted(state.updated):
            deal = state.deals[deal_id]
            assert deal is not None
            rows.append({**to_row(deal), "source": "api"})  # source is only written when inserted
        stmt = insert(deals)
        columns = [c for c in rows[0] if c not in ("deal_id", "source")]
        await conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["deal_id"], set_={c: getattr(stmt.excluded, c) for c in columns}
            ),
            rows,
        )
    if state.history:
        as_text = len(state.history) >= COPY_FROM_ROWS
        await SqlDeals(conn).record_history(
            [
                {
                    "deal_id": deal_id,
                    "event_id": event_id,
                    "event_type": event.event_type,
                    "occurred_at": at,
                    "actor": actor,
                    "data": event.model_dump_json() if as_text else event.model_dump(mode="json"),
                }
                for deal_id, event_id, event, at, actor in state.history
            ]
        )
    if state.saved_records:
        keys = sorted(state.saved_records)
        saved = [state.records[k] for k in keys]
        await conn.execute(
            SAVE_RECORDS,
            {
                "sources": [k[0] for k in keys],
                "ids": [k[1] for k in keys],
                "deal_ids": [r.deal_id if r else None for r in saved],
                "fields": [orjson.dumps(r.fields).decode() if r else None for r in saved],
                "versions": [orjson.dumps(r.versions).decode() if r else None for r in saved],
                "modified": [r.modified_at if r else None for r in saved],
                "outcomes": [state.saved_records[k] for k in keys],
            },
        )
    if state.claimed:
        keys = list(state.claimed)
        result = await conn.execute(
            CLAIM_NOTIFICATIONS,
            {
                "sources": [s for s, _ in keys],
                "ids": [d for _, d in keys],
                "records": [state.claimed[k] for k in keys],
                "outcomes": [state.outcomes.get(k) for k in keys],
            },
        )
        landed = len(result.all())
        if landed != len(keys):
            raise ClaimLost(f"{len(keys) - landed} of {len(keys)} notification ids were claimed meanwhile")


def _json_text(value: Any) -> str:
    return orjson.dumps(value).decode()
