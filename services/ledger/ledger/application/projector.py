"""Project a batch of consumed events into the journal in one transaction.

Batch boundaries never change the result: state is carried event by event in order, entry ids and
hashes depend only on the events, and balance deltas are sums. An event that cannot apply (unknown
partner, no program in force, a reversal in the wrong currency) changes nothing and is returned
as rejected: the consumer dead-letters it (re-drivable), or, for a partner not enrolled yet, parks it
until the enrolment arrives (order across topics is not guaranteed: an MDF event may overtake it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from incentive_contracts.events.partner import PartnerEnrolled, PartnerUpdated
from incentive_contracts.payload import EventPayload

from ..domain.catalog import Catalog, WhatIf
from ..domain.chain import ChainedEntry, ChainHead, link
from ..domain.cohorts import Cohorts
from ..domain.errors import InvalidEvent, NoProgramInForce, UnknownPartner
from ..domain.frozen import quick_init
from ..domain.governance_postings import keyed_entry_ids, refuse_repeats
from ..domain.journal import JournalEntry
from ..domain.outcome import Announcement, EventMeta
from ..domain.payouts import PayoutAction, payout_entry
from ..domain.projection import decide
from ..domain.state import REGISTRATION_STREAM, DealRecord, PartnerLedger, after_entries
from .builtin_program import builtin_version
from .payout_schedule import PayoutSchedule
from .ports import BalanceKey, DealKey, LedgerStore

REJECTED = (NoProgramInForce, InvalidEvent)
GENESIS_HEAD = ChainHead()  # a stream's head before its first entry


@quick_init
@dataclass(frozen=True)
class Incoming:
    event_id: str
    payload: EventPayload
    recorded_at: datetime  # the envelope time: when the producer recorded the event


@dataclass(frozen=True)
class Rejected:
    event_id: str
    reason: str
    waiting_for: str | None = None  # valid but early: what it waits for (e.g. "partner:p-1")


async def load_catalog(
    store: LedgerStore, program_ids: set[str], partner_ids: Iterable[str] = (), what_if: WhatIf | None = None
) -> Catalog:
    """Published versions of the programs (and of their pilots' variants), the pilots, and the cohort
    changes of the partners."""
    pilots, changes = await store.load_cohorts(sorted(program_ids), sorted(set(partner_ids)))
    wanted = program_ids | {p.variant_program_id for p in pilots}
    versions = await store.load_programs(sorted(wanted))
    return Catalog([builtin_version(), *versions], Cohorts(pilots, changes), what_if)


def _post(
    state: PartnerLedger,
    entries: Sequence[JournalEntry],
    chained: list[ChainedEntry],
    deltas: dict[BalanceKey, Decimal],
) -> PartnerLedger:
    """Chain each entry in turn on its partner stream, add its postings to the deltas; the partner
    after them (copied once: ``after_entries``)."""
    if not entries:
        return state
    heads = dict(state.chains)  # as ``state.chain`` finds them, and then as each entry leaves them
    posted = []
    for entry in entries:
        linked = link(entry, heads.get(entry.stream, GENESIS_HEAD))
        chained.append(linked)
        for posting in entry.postings:
            deltas[(state.partner_id, posting.account, posting.currency)] += posting.amount
        head = heads[entry.stream] = ChainHead(linked.sequence, linked.entry_hash)
        posted.append((entry, head))
    return after_entries(state, posted)


async def _load_deals(store: LedgerStore, events: Sequence[Incoming]) -> dict[str, dict[str, DealRecord]]:
    """The recorded state of every deal the events name, by partner and deal id."""
    keys: set[DealKey] = {
        (e.payload.partner_id, d) for e in events if isinstance(d := getattr(e.payload, "deal_id", None), str)
    }
    deals: dict[str, dict[str, DealRecord]] = defaultdict(dict)
    for (partner_id, deal_id), record in (await store.load_deals(keys)).items():
        deals[partner_id][deal_id] = record
    return deals


async def project(
    store: LedgerStore,
    events: Sequence[Incoming],
    payouts: PayoutSchedule | None = None,
    what_if: WhatIf | None = None,
    announce: bool = True,
) -> list[Rejected]:
    """Apply ``events`` in order. ``payouts`` (replays only): payout actions to apply at the point of
    each partner's history where they happened (the API posts them live). ``what_if`` (simulations
    only): a draft version that applies as if it were in force. ``announce=False`` (replays only):
    the store publishes nothing, so the rules need not build what it would (``EventMeta.announces``)."""
    partner_ids = {e.payload.partner_id for e in events}
    states = await store.load_partners(partner_ids)
    deals = await _load_deals(store, events)
    program_ids = {s.program_id for s in states.values() if s.program_id} | {
        e.payload.program_id for e in events if isinstance(e.payload, PartnerEnrolled | PartnerUpdated)
    }
    catalog = await load_catalog(store, program_ids, partner_ids, what_if)
    posted = await store.posted(keyed_entry_ids(e.payload for e in events))

    chained: list[ChainedEntry] = []
    announcements: list[Announcement] = []
    rejected: list[Rejected] = []
    deltas: dict[BalanceKey, Decimal] = defaultdict(Decimal)
    changed_partners: set[str] = set()
    changed_deals: set[DealKey] = set()
    for incoming in events:
        partner_id = incoming.payload.partner_id
        before = states.get(partner_id) or PartnerLedger(partner_id=partner_id)
        if payouts is not None:
            for action in payouts.due(partner_id, before.chain(REGISTRATION_STREAM).last_sequence):
                before = _post(before, (payout_entry(action),), chained, deltas)
                states[partner_id] = before
                changed_partners.add(partner_id)
        meta = EventMeta(incoming.event_id, incoming.recorded_at, announce)
        try:
            outcome = decide(before, deals[partner_id], incoming.payload, meta, catalog)
            refuse_repeats(outcome.entries, posted)
        except UnknownPartner as exc:
            reason = f"{type(exc).__name__}: {exc}"
            rejected.append(Rejected(incoming.event_id, reason, waiting_for=f"partner:{partner_id}"))
            continue
        except REJECTED as exc:
            rejected.append(Rejected(incoming.event_id, f"{type(exc).__name__}: {exc}"))
            continue
        state = _post(outcome.partner, outcome.entries, chained, deltas)
        announcements.extend(outcome.announcements)
        for deal_id, record in outcome.deals.items():
            deals[partner_id][deal_id] = record
            changed_deals.add((partner_id, deal_id))
        if state != before:
            states[partner_id] = state
            changed_partners.add(partner_id)
    await _write(store, chained, deltas, [states[p] for p in sorted(changed_partners)])
    await store.save_deals(deals[p][d] for p, d in sorted(changed_deals))
    for announcement in announcements:
        store.announce(announcement)
    return rejected


async def post_payouts(store: LedgerStore, actions: Sequence[PayoutAction]) -> None:
    """Post payout actions in order (a replay's actions that no later event of the partner placed)."""
    states = await store.load_partners({a.partner_id for a in actions})
    chained: list[ChainedEntry] = []
    deltas: dict[BalanceKey, Decimal] = defaultdict(Decimal)
    for action in actions:
        before = states.get(action.partner_id) or PartnerLedger(partner_id=action.partner_id)
        states[action.partner_id] = _post(before, (payout_entry(action),), chained, deltas)
    await _write(store, chained, deltas, [states[p] for p in sorted({a.partner_id for a in actions})])


async def _write(
    store: LedgerStore, chained: list[ChainedEntry], deltas: dict[BalanceKey, Decimal], changed: list[PartnerLedger]
) -> None:
    await store.append(chained)
    await store.apply_balance_deltas(deltas)
    await store.save_partners(changed)
    for linked in chained:
        store.publish_entry_posted(linked)
