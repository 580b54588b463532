"""``registration crm-sync``: applies stored CRM deliveries in arrival order, each exactly once.

The deliveries are sharded by CRM record (``REGISTRATION_CRM_SYNC_SHARDS``; how, and what a
delivery spanning shards does: :mod:`..application.crm_shards`). Each shard has one active worker
at a time (a PostgreSQL advisory lock per shard elects it; others wait as hot standbys and take
over a shard whose worker died), so deliveries about one CRM record apply in the order they
arrived while the shards work side by side. Each batch is one
transaction: :func:`drain_batch` opens it, the application's :func:`..application.crm_sync.drain`
claims a batch of inbox rows (``FOR UPDATE SKIP LOCKED``) and applies it together, falling back to
one delivery at a time (:mod:`..application.crm_sync` says how), and the rows' outcomes, the deals
and the events commit together; a crash re-processes only rows that were never committed.
"""

from __future__ import annotations

from servicekit.elected import ElectedWorker
from servicekit.unit_of_work import UnitOfWorkFactory

from ..adapters.crm_inbox import INBOX_CHANNEL, SqlCrmInbox
from ..adapters.crm_sync_transaction import SqlCrmSyncTransaction
from ..application.crm_shards import Shard
from ..application.crm_sync import DEFAULT_BATCH, CrmSync, DrainCounts, drain

__all__ = ["DEFAULT_BATCH", "CrmSync", "CrmSyncWorker", "DrainCounts", "Shard", "drain_batch", "drain_crm_inbox"]


async def drain_batch(
    factory: UnitOfWorkFactory,
    sync: CrmSync,
    *,
    limit: int = DEFAULT_BATCH,
    together: bool = True,
    shard: Shard | None = None,
) -> DrainCounts:
    """One transaction: claim up to ``limit`` pending deliveries, apply them in id order, commit once.

    ``together`` applies the batch with a fixed number of statements (falling back to one delivery
    at a time if that fails); False applies it one delivery at a time from the start. ``shard`` is
    the shard whose deliveries it claims (default: the only one).
    """
    async with factory() as uow:
        tx = SqlCrmSyncTransaction(uow, SqlCrmInbox(uow.conn, shard), sync.clock)
        counts = await drain(tx, sync, limit=limit, together=together)
        await uow.commit()
    return counts


async def drain_crm_inbox(
    factory: UnitOfWorkFactory, sync: CrmSync, *, limit: int = DEFAULT_BATCH, shard: Shard | None = None
) -> DrainCounts:
    """Apply every pending delivery of the shard it can (batch after batch) and return how they went.

    With several shards, it stops in front of a delivery spanning shards that waits for another one."""
    total = DrainCounts()
    while True:
        counts = await drain_batch(factory, sync, limit=limit, shard=shard)
        total.applied += counts.applied
        total.failed += counts.failed
        if counts.total < limit:
            return total


def shard_lock_name(shard: Shard) -> str:
    """The election of a shard. Shard 0 keeps the single worker's name: with one shard nothing changed."""
    return "registration:crm-sync" if shard.index == 0 else f"registration:crm-sync:{shard.index}"


class CrmSyncWorker(ElectedWorker):
    def __init__(
        self,
        factory: UnitOfWorkFactory,
        sync: CrmSync,
        *,
        batch_size: int = DEFAULT_BATCH,
        poll_seconds: float = 1.0,
        shard: Shard | None = None,
    ) -> None:
        self.shard = shard or Shard()
        super().__init__(
            factory.engine,
            role=f"crm-sync {self.shard}",
            lock_name=shard_lock_name(self.shard),
            channel=INBOX_CHANNEL,
            batch_size=batch_size,
            poll_seconds=poll_seconds,
            log_extra={"shard": str(self.shard)},
        )
        self.factory = factory
        self.sync = sync
        self.stats = DrainCounts()

    async def work_batch(self) -> int:
        counts = await drain_batch(self.factory, self.sync, limit=self.batch_size, shard=self.shard)
        self.stats.applied += counts.applied
        self.stats.failed += counts.failed
        return counts.total
