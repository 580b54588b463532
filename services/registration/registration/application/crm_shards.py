"""Sharding the crm-sync worker by CRM record, keeping every record's deliveries in arrival order.

A CRM record (source + record id) has a lock bucket (``crm_lock_bucket``, 0..1023); shard ``i`` of
``n`` owns the records whose bucket, spread (:func:`spread`), modulo ``n`` is ``i``. Each shard has
its own elected worker, so shards apply their deliveries side by side, and no two shards ever take
the same record lock. The spread (a multiplicative hash of the bucket) is there because CRC-32 is
linear: ids that differ only in their last character (``opp-7-1``, ``opp-7-2``) have buckets of
one parity, so ``bucket % 2`` would put them all on one shard.

A delivery may carry several records. One whose records all belong to one shard is that shard's
alone. One that spans shards is a **barrier**: it is applied whole (one savepoint, one outcome, as
before), by the lowest shard it touches, and only once no earlier delivery touching any of its
shards is pending; every other shard it touches stops in front of it until it is applied. So every
record sees its deliveries in arrival order, whichever shards they span, and a spanning delivery
is never split. Splitting it (each shard applying its own records' changes) would avoid the wait,
but a delivery would then have several partial outcomes and no longer be applied or refused as one;
CRMs send one record per notification in the common case, so the barrier costs little. A delivery
stored before the buckets were recorded (``None``) counts as touching every shard; one without
records, as shard 0's.

There is no cycle: a shard only ever waits for deliveries with smaller ids, so the pending delivery
with the smallest id can always be applied.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

SPREAD_SQL = "((CAST({b} AS bigint) * 2654435761) % 4294967296) / 65536"
"""The same :func:`spread` in SQL, of the column or expression ``b``."""

Candidate = tuple[int, Sequence[int] | None]
"""A pending delivery as the claim first sees it: its inbox id and its records' lock buckets."""


def spread(bucket: int) -> int:
    """A record lock bucket mixed (Knuth's multiplicative hash, bits 16..31), so its low bits vary."""
    return ((bucket * 2654435761) % 4294967296) // 65536


@dataclass(frozen=True)
class Shard:
    index: int = 0
    count: int = 1

    def __post_init__(self) -> None:
        if not 0 <= self.index < self.count:
            raise ValueError(f"shard {self.index} of {self.count}: the index must lie in 0..{self.count - 1}")

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def touched(self, buckets: Sequence[int] | None) -> frozenset[int]:
        """The shards a delivery with these record buckets concerns."""
        if buckets is None:
            return frozenset(range(self.count))
        if not buckets:  # no record (nothing to order it against): shard 0's
            return frozenset({0})
        return frozenset(spread(b) % self.count for b in buckets)


@dataclass
class ClaimPlan:
    """What the shard may claim: ``take`` (ids, in order); ``check`` is the spanning delivery this
    shard owns that comes next, to be taken only if no earlier delivery of ``others`` is pending."""

    take: list[int] = field(default_factory=list)
    check: int | None = None
    others: frozenset[int] = frozenset()
    rest: list[Candidate] = field(default_factory=list)


def plan_claim(shard: Shard, candidates: Sequence[Candidate]) -> ClaimPlan:
    """Walk the shard's pending deliveries in id order: take its own, stop at a barrier.

    Stops at a spanning delivery another shard owns (for good), or at one this shard owns (with
    ``check`` set: the caller asks whether the other shards are clear, then calls :func:`resume`).
    """
    plan = ClaimPlan()
    for position, (inbox_id, buckets) in enumerate(candidates):
        touched = shard.touched(buckets)
        if touched == {shard.index}:
            plan.take.append(inbox_id)
            continue
        if min(touched) == shard.index:
            plan.check, plan.others = inbox_id, touched - {shard.index}
            plan.rest = list(candidates[position + 1 :])
        return plan
    return plan


def resume(shard: Shard, plan: ClaimPlan, clear: bool) -> ClaimPlan:
    """Continue after the owned barrier ``plan.check``: take it and walk on if the others are
    ``clear``; else the plan ends in front of it."""
    if plan.check is None or not clear:
        return ClaimPlan(take=plan.take)
    after = plan_claim(shard, plan.rest)
    return ClaimPlan([*plan.take, plan.check, *after.take], after.check, after.others, after.rest)
