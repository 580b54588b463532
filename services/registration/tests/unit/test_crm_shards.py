"""The crm-sync shards' claim plan, simulated: whatever the interleaving of the shards' batches, every
record's deliveries are applied in arrival order, each once, and the shards never wait forever."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from registration.adapters.unit import crm_lock_bucket
from registration.application.crm_shards import Candidate, Shard, plan_claim, resume, spread

BUCKETS = 16  # few buckets, so deliveries share records and span shards often


def _claim(shard: Shard, pending: dict[int, tuple[int, ...] | None], limit: int) -> list[int]:
    """What the SQL inbox does: the shard's pending deliveries in id order, the plan, the check."""
    mine: list[Candidate] = [(i, b) for i, b in sorted(pending.items()) if shard.index in shard.touched(b)][:limit]
    plan = plan_claim(shard, mine)
    while plan.check is not None:
        others_pending = any(
            i < plan.check and i not in plan.take and shard.touched(b) & plan.others for i, b in pending.items()
        )
        plan = resume(shard, plan, clear=not others_pending)
    return plan.take


deliveries = st.lists(
    st.one_of(st.none(), st.lists(st.integers(0, BUCKETS - 1), min_size=0, max_size=3, unique=True).map(tuple)),
    min_size=1,
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(deliveries, st.integers(1, 5), st.integers(1, 6), st.randoms(use_true_random=False))
def test_any_interleaving_keeps_each_records_order_and_finishes(
    buckets: list[tuple[int, ...] | None], count: int, limit: int, rng: random.Random
) -> None:
    pending = dict(enumerate(buckets))
    applied: list[int] = []
    shards = [Shard(i, count) for i in range(count)]
    while pending:
        shard = rng.choice(shards)  # a random shard commits its next batch
        taken = _claim(shard, pending, limit)
        for inbox_id in taken:
            del pending[inbox_id]
        applied.extend(taken)
        if not taken and pending:  # liveness: while anything is pending, some shard can go on
            assert any(_claim(s, pending, limit) for s in shards)
    assert sorted(applied) == list(range(len(buckets)))  # each exactly once
    position = {inbox_id: n for n, inbox_id in enumerate(applied)}
    every_bucket = tuple(range(BUCKETS))
    for bucket in range(BUCKETS):  # a record is a bucket here: its deliveries in id order
        touching = [i for i, b in enumerate(buckets) if bucket in (every_bucket if b is None else b)]
        assert [position[i] for i in touching] == sorted(position[i] for i in touching)


def test_a_spanning_delivery_waits_for_the_other_shard_then_goes_to_its_lowest_shard() -> None:
    first, second = Shard(0, 2), Shard(1, 2)
    # Buckets 1 and 5 are shard 1's, 2 is shard 0's (spread, modulo 2).
    pending: dict[int, tuple[int, ...] | None] = {1: (1,), 2: (2, 1), 3: (2,), 4: (5,)}
    assert _claim(second, pending, 10) == [1]  # shard 1 stops in front of 2, shard 0's to apply
    assert _claim(first, pending, 10) == []  # 2 waits for shard 1's delivery 1
    del pending[1]
    assert _claim(first, pending, 10) == [2, 3]
    del pending[2], pending[3]
    assert _claim(second, pending, 10) == [4]


def test_ids_differing_in_their_last_character_spread_over_the_shards() -> None:
    buckets = [crm_lock_bucket("generic", f"opp-7-{n}") for n in range(4)]
    assert len({b % 2 for b in buckets}) == 1  # CRC-32 is linear: one parity for all four
    assert len({spread(b) % 2 for b in buckets}) == 2


def test_a_delivery_without_records_is_shard_zeros() -> None:
    assert Shard(0, 3).touched(()) == {0}
    assert _claim(Shard(0, 3), {1: ()}, 10) == [1]
    assert _claim(Shard(1, 3), {1: ()}, 10) == []


def test_one_shard_takes_everything_in_order() -> None:
    pending: dict[int, tuple[int, ...] | None] = {1: (3,), 2: (2, 3), 3: None}
    assert _claim(Shard(), pending, 10) == [1, 2, 3]


@pytest.mark.parametrize(("index", "count"), [(-1, 2), (2, 2), (0, 0)])
def test_a_shard_index_outside_the_count_is_refused(index: int, count: int) -> None:
    with pytest.raises(ValueError, match="index"):
        Shard(index, count)
