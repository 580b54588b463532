"""Project a batch of consumed events into the journal in one transaction.

Batch boundaries never change the result: state is carried event by event in order, entry ids and
hashes depend only on the events, and balance deltas are sums.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from incentive_contracts.payload import EventPayload

from ..domain.chain import ChainedEntry, link
from ..domain.errors import UnknownPartner
from ..domain.projection import FlatRebate, PartnerLedger, decide, evolve
from .ports import BalanceKey, LedgerStore


@dataclass(frozen=True)
class Incoming:
    event_id: str
    payload: EventPayload


@dataclass(frozen=True)
class Rejected:
    event_id: str
    reason: str


async def project(store: LedgerStore, events: Sequence[Incoming], rule: FlatRebate) -> list[Rejected]:
    states = await store.load_partners({e.payload.partner_id for e in events})
    chained: list[ChainedEntry] = []
    rejected: list[Rejected] = []
    deltas: dict[BalanceKey, Decimal] = defaultdict(Decimal)
    changed: set[str] = set()
    for incoming in events:
        partner_id = incoming.payload.partner_id
        state = states.get(partner_id) or PartnerLedger(partner_id=partner_id, program_id=None)
        try:
            entries = decide(state, incoming.payload, incoming.event_id, rule)
        except UnknownPartner as exc:
            rejected.append(Rejected(incoming.event_id, str(exc)))
            continue
        state = evolve(state, incoming.payload)
        for entry in entries:
            linked = link(entry, state.last_sequence + 1, state.head_hash)
            state = replace(state, last_sequence=linked.sequence, head_hash=linked.entry_hash)
            chained.append(linked)
            for posting in entry.postings:
                deltas[(partner_id, posting.account, posting.currency)] += posting.amount
        if states.get(partner_id) != state:
            states[partner_id] = state
            changed.add(partner_id)
    await store.append(chained)
    await store.apply_balance_deltas(deltas)
    await store.save_partners(states[p] for p in sorted(changed))
    for linked in chained:
        store.publish_entry_posted(linked)
    return rejected
