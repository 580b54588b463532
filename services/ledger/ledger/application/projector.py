"""Project a batch of consumed events into the journal in one transaction.

Batch boundaries never change the result: state is carried event by event in order, entry ids and
hashes depend only on the events, and balance deltas are sums. An event that cannot apply (unknown
partner, no program in force, a reversal in the wrong currency) changes nothing and is returned
as rejected (the consumer dead-letters it, re-drivable).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from incentive_contracts.events.partner import PartnerEnrolled, PartnerUpdated
from incentive_contracts.payload import EventPayload

from ..domain.catalog import Catalog
from ..domain.chain import ChainedEntry, ChainHead, link
from ..domain.errors import InvalidEvent, NoProgramInForce, UnknownPartner
from ..domain.outcome import Announcement, EventMeta
from ..domain.projection import decide
from ..domain.state import DealRecord, PartnerLedger
from .builtin_program import builtin_version
from .ports import BalanceKey, DealKey, LedgerStore

REJECTED = (UnknownPartner, NoProgramInForce, InvalidEvent)


@dataclass(frozen=True)
class Incoming:
    event_id: str
    payload: EventPayload
    recorded_at: datetime  # the envelope time: when the producer recorded the event


@dataclass(frozen=True)
class Rejected:
    event_id: str
    reason: str


async def load_catalog(store: LedgerStore, program_ids: set[str]) -> Catalog:
    return Catalog([builtin_version(), *await store.load_programs(sorted(program_ids))])


async def project(store: LedgerStore, events: Sequence[Incoming]) -> list[Rejected]:
    states = await store.load_partners({e.payload.partner_id for e in events})
    keys: set[DealKey] = {
        (e.payload.partner_id, d) for e in events if isinstance(d := getattr(e.payload, "deal_id", None), str)
    }
    loaded = await store.load_deals(keys)
    deals: dict[str, dict[str, DealRecord]] = defaultdict(dict)
    for (partner_id, deal_id), record in loaded.items():
        deals[partner_id][deal_id] = record
    program_ids = {s.program_id for s in states.values() if s.program_id} | {
        e.payload.program_id for e in events if isinstance(e.payload, PartnerEnrolled | PartnerUpdated)
    }
    catalog = await load_catalog(store, program_ids)

    chained: list[ChainedEntry] = []
    announcements: list[Announcement] = []
    rejected: list[Rejected] = []
    deltas: dict[BalanceKey, Decimal] = defaultdict(Decimal)
    changed_partners: set[str] = set()
    changed_deals: set[DealKey] = set()
    for incoming in events:
        partner_id = incoming.payload.partner_id
        before = states.get(partner_id) or PartnerLedger(partner_id=partner_id)
        meta = EventMeta(incoming.event_id, incoming.recorded_at)
        try:
            outcome = decide(before, deals[partner_id], incoming.payload, meta, catalog)
        except REJECTED as exc:
            rejected.append(Rejected(incoming.event_id, f"{type(exc).__name__}: {exc}"))
            continue
        state = outcome.partner
        for entry in outcome.entries:
            linked = link(entry, state.chain(entry.stream))
            state = state.with_head(entry.stream, ChainHead(linked.sequence, linked.entry_hash))
            chained.append(linked)
            for posting in entry.postings:
                deltas[(partner_id, posting.account, posting.currency)] += posting.amount
        announcements.extend(outcome.announcements)
        for deal_id, record in outcome.deals.items():
            deals[partner_id][deal_id] = record
            changed_deals.add((partner_id, deal_id))
        if state != before:
            states[partner_id] = state
            changed_partners.add(partner_id)
    await store.append(chained)
    await store.apply_balance_deltas(deltas)
    await store.save_partners(states[p] for p in sorted(changed_partners))
    await store.save_deals(deals[p][d] for p, d in sorted(changed_deals))
    for linked in chained:
        store.publish_entry_posted(linked)
    for announcement in announcements:
        store.announce(announcement)
    return rejected
