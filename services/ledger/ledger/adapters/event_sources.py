"""Where a replay reads its inputs: the Kafka topics from offset 0, or a ledger database's stored
consumed-event log (and, for payouts, the ledger's own announcements: its topic or its outbox)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.partitioner import murmur2
from incentive_contracts.envelope import CloudEvent
from incentive_contracts.events.ledger import LedgerPayoutBatched, LedgerPayoutFailed, LedgerPayoutSettled
from incentive_contracts.fast_decode import fast_decode
from incentive_contracts.registry import decode
from pydantic import ValidationError
from servicekit.settings import FETCH_MAX_WAIT_MS

from ..application.projector import Incoming
from ..application.replay import EVERYTHING, Share
from ..domain.payouts import PAYOUT_EVENT_TYPES, PayoutAction, action_from_event

# A parked event is in the inbox (so a redelivery is not applied twice) but not applied yet; once
# applied it is moved to the end of the log, where the replay applies it too.
APPLIED = (
    "NOT EXISTS (SELECT 1 FROM parked_events p "
    "WHERE p.consumer_group = consumed_events.consumer_group AND p.event_id = consumed_events.event_id)"
)
# Events per projection batch: a batch's entries, explanations and outcomes are held until it is
# written, so it sets a replay's peak memory more than its speed (5,000 and 20,000 cost the same CPU).
REPLAY_BATCH = 5_000
PAYOUT_MARKERS = tuple(f'"type":"{t}"'.encode() for t in sorted(PAYOUT_EVENT_TYPES))


@dataclass
class SourceStats:
    total: int = 0  # events the source holds (for the progress bar)
    undecodable: int = 0  # records that are not events of a known type and version (dead-lettered live)
    read: int = 0  # records read (a share's worker reads only its partitions where it can)


def incoming_of(raw: bytes) -> Incoming:
    decoded = fast_decode(raw)  # the compiled decoder where it is sure, else pydantic's (or its reason)
    if decoded is not None:
        return Incoming(decoded[0].id, decoded[1], decoded[0].time)
    envelope = CloudEvent.from_json(raw)
    return Incoming(envelope.id, decode(envelope), envelope.time)


def payout_action_of(raw: bytes) -> PayoutAction:
    envelope = CloudEvent.from_json(raw)
    payload = decode(envelope)
    assert isinstance(payload, LedgerPayoutBatched | LedgerPayoutSettled | LedgerPayoutFailed)
    return action_from_event(payload, envelope.id)


@lru_cache(maxsize=1 << 16)
def kafka_key_hash(partner_id: str) -> int:
    """The hash by which the producers' partitioner (aiokafka's default, as Java's) places a keyed
    record: a topic with P partitions holds the partner in partition ``kafka_key_hash(id) % P``."""
    return int(murmur2(partner_id.encode())) & 0x7FFFFFFF


def share_partitions(share: Share, partitions: int) -> list[int] | None:
    """The partitions of a topic that hold exactly the share's partners, or None when the share
    is not whole partitions (hashed otherwise, or the partition count not a multiple of the
    share count: then every partition is read and the share's records picked by their key)."""
    if share.count == 1:
        return list(range(partitions))
    if share.key_hash is not kafka_key_hash or partitions % share.count:
        return None
    return [p for p in range(partitions) if p % share.count == share.index]


class MisroutedRecord(ValueError):
    """A record whose key (or stored subject) is not its partner id, or that sits in a partition its
    partner does not hash to: a parallel replay cannot shard it."""


def _decoded(
    records: Sequence[tuple[bytes | None, bytes]], stats: SourceStats, share: Share, *, own: bool = False
) -> list[Incoming]:
    """The share's events among ``(key, value)`` records. The key is the partner id (the producers'
    contract), so other shares' records are skipped without being decoded. ``own``: the records
    come from the share's own partitions, so each must belong to it (else its partner's worker
    never sees it: refused, not skipped)."""
    batch: list[Incoming] = []
    stats.read += len(records)
    for key, raw in records:
        partner_id = key.decode() if key else None
        if partner_id is not None and not share.holds(partner_id):
            if own:
                raise MisroutedRecord(f"a record keyed {partner_id!r} is in a partition of another share: {_ONE}")
            continue
        try:
            incoming = incoming_of(raw)
        except (ValueError, ValidationError):
            stats.undecodable += 1
            continue
        if partner_id is None and not share.holds(incoming.payload.partner_id):
            if own:
                raise MisroutedRecord(f"event {incoming.event_id} has no key, in a partition of another share: {_ONE}")
            continue
        if partner_id is not None and share.count > 1 and incoming.payload.partner_id != partner_id:
            raise MisroutedRecord(
                f"event {incoming.event_id} is keyed {partner_id!r} but belongs to partner "
                f"{incoming.payload.partner_id!r}: {_ONE}"
            )
        batch.append(incoming)
    return batch


_ONE = "replay it with --workers 1"


class ConsumedLog:
    """A ledger database's consumed events in the order they were applied, and its payout announcements."""

    def __init__(self, url: str, batch_size: int = REPLAY_BATCH) -> None:
        self.url = url
        self.batch_size = batch_size
        self.stats = SourceStats()

    async def count(self) -> int:
        conn = await asyncpg.connect(self.url)
        try:
            self.stats.total = int(await conn.fetchval(f"SELECT count(*) FROM consumed_events WHERE {APPLIED}"))
        finally:
            await conn.close()
        return self.stats.total

    async def batches(self, share: Share = EVERYTHING) -> AsyncIterator[list[Incoming]]:
        conn = await asyncpg.connect(self.url)
        try:
            after = -1
            while True:
                rows = await conn.fetch(
                    f"SELECT consumed_seq, subject, payload FROM consumed_events WHERE consumed_seq > $1 AND {APPLIED} "
                    "ORDER BY consumed_seq LIMIT $2",
                    after,
                    self.batch_size,
                )
                if not rows:
                    return
                after = rows[-1]["consumed_seq"]
                yield _decoded([(r["subject"].encode(), r["payload"]) for r in rows], self.stats, share)
        finally:
            await conn.close()

    async def payout_actions(self) -> list[PayoutAction]:
        conn = await asyncpg.connect(self.url)
        try:
            rows = await conn.fetch(
                "SELECT payload FROM outbox WHERE event_type = ANY($1::text[]) ORDER BY id", sorted(PAYOUT_EVENT_TYPES)
            )
        finally:
            await conn.close()
        return [payout_action_of(r["payload"]) for r in rows]


class KafkaTopics:
    """Every partition of the given topics from offset 0 to their end when the read starts."""

    def __init__(
        self, bootstrap: str, batch_size: int = REPLAY_BATCH, fetch_max_wait_ms: int = FETCH_MAX_WAIT_MS
    ) -> None:
        self.bootstrap = bootstrap
        self.batch_size = batch_size
        # A topic's read ends on a fetch that finds nothing, which waits this long on the broker; a
        # read waits for a batch that long and half a second more (a fetch of what is there returns
        # at once), so the empty read at the end of a topic takes 1 s at the default.
        self.fetch_max_wait_ms = fetch_max_wait_ms
        self.stats = SourceStats()

    def _consumer(self) -> AIOKafkaConsumer:
        return AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_partition_fetch_bytes=4 * 1024 * 1024,
            fetch_max_bytes=32 * 1024 * 1024,
            fetch_max_wait_ms=self.fetch_max_wait_ms,
        )

    async def _read(
        self, topic: str, share: Share = EVERYTHING
    ) -> AsyncIterator[tuple[bool, list[tuple[bytes | None, bytes]]]]:
        """The topic's records: only the share's own partitions where the share is whole partitions
        (then each batch comes with True), else every partition's."""
        consumer = self._consumer()
        await consumer.start()
        try:
            partitions = await _partitions(consumer, topic)
            mine = share_partitions(share, len(partitions))
            own = mine is not None and share.count > 1
            if mine is not None:
                partitions = [tp for tp in partitions if tp.partition in mine]
            if not partitions:
                return
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
            ends = await consumer.end_offsets(partitions)
            if not any(ends.values()):
                return  # an empty topic (a stream no event has reached yet): no fetch to wait out
            while True:
                fetched = await consumer.getmany(
                    *partitions, timeout_ms=self.fetch_max_wait_ms + 500, max_records=self.batch_size
                )
                records = [
                    (record.key, record.value)
                    for tp in sorted(fetched, key=lambda t: t.partition)
                    for record in fetched[tp]
                    if record.value is not None
                ]
                if records:
                    yield own, records
                    continue
                # Nothing more arrived: done once every partition is at its end. (Some brokers report an
                # end offset that lags the last batch, so an empty fetch, not the offset alone, ends it.)
                if all([await consumer.position(tp) >= ends[tp] for tp in partitions]):
                    return
        finally:
            await consumer.stop()

    async def count(self, topics: Sequence[str]) -> int:
        consumer = self._consumer()
        await consumer.start()
        try:
            total = 0
            for topic in topics:
                partitions = await _partitions(consumer, topic)
                if partitions:
                    ends = await consumer.end_offsets(partitions)
                    starts = await consumer.beginning_offsets(partitions)
                    total += sum(ends[tp] - starts[tp] for tp in partitions)
        finally:
            await consumer.stop()
        self.stats.total = total
        return total

    async def batches(self, topics: Sequence[str], share: Share = EVERYTHING) -> AsyncIterator[list[Incoming]]:
        """Topic after topic (registration before MDF: partners are enrolled before their funds move);
        within a topic each partition in offset order, so each partner's events stay in order."""
        for topic in topics:
            async for own, records in self._read(topic, share):
                yield _decoded(records, self.stats, share, own=own)

    async def payout_actions(self, ledger_topic: str) -> list[PayoutAction]:
        """The payout announcements on the ledger's topic, once each (a relay may have sent one twice)."""
        actions: dict[str, PayoutAction] = {}
        async for _, records in self._read(ledger_topic):
            for _, raw in records:
                if any(m in raw for m in PAYOUT_MARKERS):
                    action = payout_action_of(raw)
                    actions.setdefault(action.event_id, action)
        return list(actions.values())


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> list[TopicPartition]:
    await consumer.topics()  # fetches the cluster's metadata
    return [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]


@dataclass(frozen=True)
class ReplaySource:
    """Where a replay reads, as plain settings (a parallel replay's workers each open their own):
    a ledger database's consumed-event log when ``from_database`` is set, else the Kafka topics."""

    from_database: str | None
    kafka_bootstrap: str
    consumed_topics: tuple[str, ...]
    ledger_topic: str
    batch_size: int = REPLAY_BATCH
    fetch_max_wait_ms: int = FETCH_MAX_WAIT_MS

    def _log(self) -> ConsumedLog:
        assert self.from_database is not None
        return ConsumedLog(self.from_database, self.batch_size)

    def _kafka(self) -> KafkaTopics:
        return KafkaTopics(self.kafka_bootstrap, self.batch_size, self.fetch_max_wait_ms)

    async def count(self) -> int:
        if self.from_database is not None:
            return await self._log().count()
        return await self._kafka().count(self.consumed_topics)

    async def payout_actions(self) -> list[PayoutAction]:
        if self.from_database is not None:
            return await self._log().payout_actions()
        return await self._kafka().payout_actions(self.ledger_topic)

    def batches(self, share: Share = EVERYTHING, stats: SourceStats | None = None) -> AsyncIterator[list[Incoming]]:
        """The share's events in batches; ``stats``, when given, counts what was read."""
        source = self._log() if self.from_database is not None else self._kafka()
        if stats is not None:
            source.stats = stats
        if isinstance(source, ConsumedLog):
            return source.batches(share)
        return source.batches(self.consumed_topics, share)
