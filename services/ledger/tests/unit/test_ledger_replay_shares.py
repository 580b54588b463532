"""A parallel replay's shares are whole Kafka partitions: a worker reads only its own partitions of a
topic whose partition count the worker count divides, and every record it meets there is its share's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from aiokafka.partitioner import DefaultPartitioner
from hypothesis import given
from hypothesis import strategies as st
from incentive_contracts.registry import encode
from ledger.adapters.event_sources import MisroutedRecord, SourceStats, _decoded, kafka_key_hash, share_partitions
from ledger.application.replay import Share
from ledger_support import enrolled

partner_ids = st.text(min_size=1, max_size=40)
worker_counts = st.integers(min_value=1, max_value=6)


@given(partner_ids, st.integers(min_value=1, max_value=64))
def test_the_key_hash_places_a_partner_where_the_producers_partitioner_does(partner_id: str, partitions: int) -> None:
    everyone = list(range(partitions))
    chosen = DefaultPartitioner()(partner_id.encode(), everyone, everyone)
    assert kafka_key_hash(partner_id) % partitions == chosen


@given(st.lists(partner_ids, min_size=1, max_size=30), worker_counts, st.integers(min_value=1, max_value=8))
def test_a_share_is_the_partitions_that_hold_exactly_its_partners(ids: list[str], workers: int, multiple: int) -> None:
    partitions = workers * multiple
    for index in range(workers):
        share = Share(index, workers, kafka_key_hash)
        mine = share_partitions(share, partitions)
        assert mine is not None
        for partner_id in ids:
            assert (kafka_key_hash(partner_id) % partitions in mine) == share.holds(partner_id)
    # Every partition is some worker's, once.
    owned = [p for i in range(workers) for p in share_partitions(Share(i, workers, kafka_key_hash), partitions) or []]
    assert sorted(owned) == list(range(partitions))


def test_a_share_that_is_not_whole_partitions_reads_every_partition() -> None:
    assert share_partitions(Share(0, 3, kafka_key_hash), 4) is None  # 3 does not divide 4
    assert share_partitions(Share(0, 2), 4) is None  # hashed otherwise than the partitioner
    assert share_partitions(Share(0, 1), 4) == [0, 1, 2, 3]


def _record(partner_id: str, key: str | None) -> tuple[bytes | None, bytes]:
    raw = encode(enrolled(partner_id), source="registration", time=datetime(2026, 1, 5, tzinfo=UTC)).to_json()
    return (key.encode() if key is not None else None, raw.encode() if isinstance(raw, str) else raw)


def test_a_record_of_another_share_in_a_shares_own_partition_is_refused_not_skipped() -> None:
    ids = [f"p{i}" for i in range(20)]
    share = Share(0, 2, kafka_key_hash)
    theirs = next(p for p in ids if not share.holds(p))
    mine = next(p for p in ids if share.holds(p))
    stats = SourceStats()
    # Read from every partition: another share's record is skipped undecoded.
    picked = _decoded([_record(mine, mine), _record(theirs, theirs)], stats, share)
    assert [i.payload.partner_id for i in picked] == [mine]
    assert stats.read == 2
    # From the share's own partitions, it would be lost to its partner's worker: refused.
    with pytest.raises(MisroutedRecord):
        _decoded([_record(mine, mine), _record(theirs, theirs)], stats, share, own=True)
    with pytest.raises(MisroutedRecord):
        _decoded([_record(theirs, None)], stats, share, own=True)
    assert [i.payload.partner_id for i in _decoded([_record(mine, None)], stats, share, own=True)] == [mine]
