"""The peer: the same projection written the idiomatic way with the ``eventsourcing`` library.

One aggregate per partner (:class:`PartnerRewards`), loaded from its repository, asked to project
each consumed event with the ledger's own rules (``decide``, the same catalog of programs), and
saved after every event: the library appends the aggregate's new domain events to its PostgreSQL
stored-events table in one transaction. The aggregate's event records what the rules decided (the
partner's state, the changed deals and the journal entries with their chained hashes), and applying
it folds balances, so a partner rebuilt from its stored events holds the same ledger as ours.

It runs on the same PostgreSQL server as our projection, on the first events of the same stream
(read back from the consumed-event log like the naive baseline: no Kafka, which flatters it), with
the library's defaults except an aggregate cache (the documented way to avoid rebuilding every
partner from its whole history on each event; without it the peer's cost grows with history). The
library is a benchmark-only dependency (``requirements-bench.txt``).
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from decimal import Decimal
from typing import Any

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate, event
from incentive_contracts.envelope import CloudEvent
from incentive_contracts.payload import EventPayload
from incentive_contracts.registry import decode
from ledger.adapters.codec import deal_from_json, deal_to_json, partner_from_json, partner_to_json
from ledger.adapters.store import SqlLedgerStore
from ledger.application.projector import load_catalog
from ledger.domain.catalog import Catalog
from ledger.domain.chain import ChainHead, link
from ledger.domain.outcome import EventMeta
from ledger.domain.projection import decide
from ledger.domain.state import PartnerLedger, track_payable
from servicekit.db import create_engine, sync_url
from servicekit.unit_of_work import UnitOfWork
from sqlalchemy.engine import make_url

PARTNER_NAMESPACE = uuid.UUID("0b7e6f0e-5a57-4c55-9a4c-2f6a1f1f7d21")


class PartnerRewards(Aggregate):
    """A partner's rewards: created on its first event, then one domain event per projected event."""

    @event("Opened")
    def __init__(self, partner_id: str) -> None:
        self.partner_id = partner_id
        self.program_id: str | None = None
        self.tier: str | None = None
        self.state: dict[str, Any] = partner_to_json(PartnerLedger(partner_id=partner_id))
        self.heads: dict[str, tuple[int, str]] = {}
        self.deals: dict[str, dict[str, Any]] = {}
        self.balances: dict[str, str] = {}

    @classmethod
    def create_id(cls, partner_id: str) -> uuid.UUID:
        return uuid.uuid5(PARTNER_NAMESPACE, partner_id)

    def ledger(self) -> PartnerLedger:
        state = partner_from_json(self.partner_id, self.program_id, self.tier, self.state)
        for stream, (sequence, head_hash) in self.heads.items():
            state = state.with_head(stream, ChainHead(sequence, head_hash))
        return state

    def project(self, payload: EventPayload, meta: EventMeta, catalog: Catalog) -> None:
        """Decide with the ledger's rules, then record the decision as this aggregate's event."""
        deals = {d: deal_from_json(self.partner_id, d, s) for d, s in self.deals.items()}
        outcome = decide(self.ledger(), deals, payload, meta, catalog)
        state = outcome.partner
        entries: list[dict[str, Any]] = []
        for entry in outcome.entries:
            linked = link(entry, state.chain(entry.stream))
            state = track_payable(state.with_head(entry.stream, ChainHead(linked.sequence, linked.entry_hash)), entry)
            entries.append(
                {
                    "entry_id": entry.entry_id,
                    "kind": entry.kind,
                    "stream": entry.stream,
                    "sequence": linked.sequence,
                    "entry_hash": linked.entry_hash,
                    "postings": [[p.account, p.currency, str(p.amount)] for p in entry.postings],
                }
            )
        self.projected(
            program_id=state.program_id,
            tier=state.tier,
            state=partner_to_json(state),
            heads={stream: [h.last_sequence, h.head_hash] for stream, h in state.chains},
            deals={d: deal_to_json(r) for d, r in outcome.deals.items()},
            entries=entries,
        )

    @event("Projected")
    def projected(
        self,
        program_id: str | None,
        tier: str | None,
        state: dict[str, Any],
        heads: dict[str, list[Any]],
        deals: dict[str, dict[str, Any]],
        entries: list[dict[str, Any]],
    ) -> None:
        self.program_id, self.tier, self.state = program_id, tier, state
        self.heads = {stream: (int(h[0]), str(h[1])) for stream, h in heads.items()}
        self.deals.update(deals)
        totals: dict[str, Decimal] = defaultdict(Decimal, {k: Decimal(v) for k, v in self.balances.items()})
        for entry in entries:
            for account, currency, amount in entry["postings"]:
                totals[f"{account}:{currency}"] += Decimal(amount)
        self.balances = {k: str(v) for k, v in totals.items()}


class RewardsApplication(Application[uuid.UUID]):
    """The peer's application: a repository of partner aggregates over the library's PostgreSQL store."""

    def project(self, envelope: CloudEvent, catalog: Catalog) -> None:
        payload = decode(envelope)
        try:
            aggregate = self.repository.get(PartnerRewards.create_id(payload.partner_id))
        except AggregateNotFoundError:
            aggregate = PartnerRewards(payload.partner_id)
        aggregate.project(payload, EventMeta(envelope.id, envelope.time), catalog)
        self.save(aggregate)


def _environment(database_url: str) -> dict[str, str]:
    url = make_url(sync_url(database_url))
    host = url.host or url.query.get("host") or "127.0.0.1"
    if isinstance(host, tuple):
        host = host[0]
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": str(url.database),
        "POSTGRES_HOST": str(host),
        "POSTGRES_PORT": str(url.port or 5432),
        "POSTGRES_USER": str(url.username or "postgres"),
        "POSTGRES_PASSWORD": str(url.password or ""),
        "CREATE_TABLE": "y",
        "AGGREGATE_CACHE_MAXSIZE": "100000",
    }


async def catalog_of(source_url: str, records: list[dict[str, Any]]) -> Catalog:
    """The programs, pilots and cohorts in force for these events, read once from the real ledger."""
    payloads = [decode(CloudEvent.from_json(r["payload"])) for r in records]
    partner_ids = {p.partner_id for p in payloads}
    program_ids = {pid for p in payloads if isinstance(pid := getattr(p, "program_id", None), str)}
    engine = create_engine(source_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            store = SqlLedgerStore(UnitOfWork(conn=conn, source="/ledger", topic="bench.peer"))
            return await load_catalog(store, program_ids, partner_ids)
    finally:
        await engine.dispose()


def application(database_url: str) -> RewardsApplication:
    return RewardsApplication(env=_environment(database_url))


def project_with_peer(app: RewardsApplication, records: list[dict[str, Any]], catalog: Catalog) -> float:
    """Project ``records`` (rows of consumed_events) one event per save; returns seconds taken."""
    envelopes = [CloudEvent.from_json(r["payload"]) for r in records]
    started = time.perf_counter()
    for envelope in envelopes:
        app.project(envelope, catalog)
    return time.perf_counter() - started


def stored_events(app: RewardsApplication) -> int:
    """How many domain events the library stored (its notification log numbers them from 1)."""
    return int(app.recorder.max_notification_id() or 0)


def chain_heads(app: RewardsApplication, partner_ids: set[str]) -> dict[tuple[str, str], tuple[int, str]]:
    """Every partner's chain heads as the peer left them: (partner, stream) -> (sequence, hash)."""
    heads: dict[tuple[str, str], tuple[int, str]] = {}
    for partner_id in sorted(partner_ids):
        aggregate = app.repository.get(PartnerRewards.create_id(partner_id))
        for stream, head in aggregate.heads.items():
            heads[(partner_id, stream)] = head
    return heads
